"""The core: errors, money, dates, numbers and the vocabulary; only the stdlib and Babel."""
