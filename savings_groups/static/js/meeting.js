// The meeting grid: arrows move within a column, and the boxes' balances follow the entries.
// Progressive enhancement: the page works without it, and the server's figures are the truth.
(function () {
  "use strict";

  var SPACES = /[\s\u00a0\u202f\u2007\u2009\u200a]/g;
  var SPACE = /^[\s\u00a0\u202f\u2007\u2009\u200a]$/;

  // Text typed in the reader's locale as a BigInt of minor units, or null when it is not one.
  function toMinor(text, form) {
    var digits = parseInt(form.dataset.digits, 10);
    var decimal = form.dataset.decimal;
    var group = form.dataset.group;
    var body = text.replace(SPACES, "");
    if (group && !SPACE.test(group)) { body = body.split(group).join(""); }
    if (body === "") { return 0n; }
    var parts = body.split(decimal);
    if (parts.length > 2 || !/^\d*$/.test(parts[0]) || (parts[1] !== undefined && !/^\d*$/.test(parts[1]))) {
      return null;
    }
    var fraction = (parts[1] || "");
    if (fraction.length > digits) { return null; }
    while (fraction.length < digits) { fraction += "0"; }
    return BigInt((parts[0] || "0") + fraction);
  }

  function format(minor, form) {
    var digits = parseInt(form.dataset.digits, 10);
    var negative = minor < 0n;
    var text = (negative ? -minor : minor).toString();
    while (text.length <= digits) { text = "0" + text; }
    var decimal = digits ? text.slice(0, -digits) + "." + text.slice(-digits) : text;
    var options = { style: "currency", currency: form.dataset.currency,
                    minimumFractionDigits: digits, maximumFractionDigits: digits };
    try {
      // A decimal string is formatted exactly (no float) by current browsers.
      return new Intl.NumberFormat(form.dataset.locale, options).format((negative ? "-" : "") + decimal);
    } catch (error) {
      return (negative ? "-" : "") + decimal + " " + form.dataset.currency;
    }
  }

  // A blank cell counts as its placeholder: the social fund contribution of a member there.
  function sumColumn(form, column) {
    var total = 0n;
    form.querySelectorAll('[data-col="' + column + '"]').forEach(function (input) {
      var text = input.value.trim() === "" ? (input.placeholder || "") : input.value;
      var value = toMinor(text, form);
      if (value !== null) { total += value; }
    });
    return total;
  }

  // The social fund's pre-fill follows the attendance, as the server reads a blank cell: the
  // contribution for a member there or represented, nothing for one absent or excused. What
  // the recorder typed stays as it is.
  function followAttendance(form, select) {
    var row = select.closest("tr");
    var cell = row && row.querySelector('[data-col="social_fund"][data-contribution]');
    if (!cell) { return; }
    var away = (form.dataset.away || "").split(" ").indexOf(select.value) !== -1;
    cell.placeholder = away ? "" : cell.dataset.contribution;
  }

  function refresh(form) {
    var shareValue = BigInt(form.dataset.shareValue);
    var shares = 0n;
    form.querySelectorAll('[data-col="shares"]').forEach(function (input) {
      var text = input.value.trim();
      if (/^\d{1,9}$/.test(text)) { shares += BigInt(text); }
    });
    var fines = 0n;
    form.querySelectorAll("input[type=checkbox][data-amount]").forEach(function (box) {
      if (box.checked) { fines += BigInt(box.dataset.amount); }
    });
    var computed = {
      loan_fund: shares * shareValue + fines + sumColumn(form, "repayment"),
      social_fund: sumColumn(form, "social_fund") - sumColumn(form, "welfare"),
      bank: 0n
    };
    // The group's expenses (out) and other income (in), then the transfers with the account.
    form.querySelectorAll("tr[data-group-money]").forEach(function (row) {
      var amount = toMinor(row.querySelector('[data-money="amount"]').value, form);
      var fund = row.querySelector('[data-money="fund"]').value;
      if (amount === null || !(fund in computed)) { return; }
      computed[fund] += row.querySelector('[data-money="kind"]').value === "income" ? amount : -amount;
    });
    form.querySelectorAll("tr[data-transfer]").forEach(function (row) {
      var amount = toMinor(row.querySelector('[data-transfer-col="amount"]').value, form);
      if (amount === null) { return; }
      if (row.querySelector('[data-transfer-col="direction"]').value === "withdrawal") { amount = -amount; }
      computed.loan_fund -= amount;
      computed.bank += amount;
    });
    // The account's row shows once money goes to it (it is hidden for a group without one).
    if (computed.bank !== 0n) {
      ["account-row", "account-help"].forEach(function (id) {
        var element = document.getElementById(id);
        if (element) { element.hidden = false; }
      });
    }
    form.querySelectorAll("output[data-box]").forEach(function (output) {
      var box = output.dataset.box;
      if (!(box in computed)) { return; }
      var after = BigInt(output.dataset.before) + BigInt(output.dataset.loans || "0") + computed[box];
      output.textContent = format(after, form);
      var counted = form.querySelector('[data-counted="' + box + '"]');
      var difference = document.getElementById("difference-" + box);
      if (counted && difference) {
        var value = counted.value.trim() === "" ? null : toMinor(counted.value, form);
        difference.textContent = value === null ? "" : format(value - after, form);
      }
    });
  }

  // Up and down move to the same column in the row above or below (not in a list, where the
  // arrows choose an option).
  function move(event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    var input = event.target;
    if (!input.matches("input[data-col]")) { return; }
    var row = input.closest("tr");
    var next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
    while (next && !next.querySelector('[data-col="' + input.dataset.col + '"]')) {
      next = event.key === "ArrowDown" ? next.nextElementSibling : next.previousElementSibling;
    }
    if (!next) { return; }
    event.preventDefault();
    var target = next.querySelector('[data-col="' + input.dataset.col + '"]');
    target.focus();
    if (target.select) { target.select(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    var form = document.getElementById("meeting-form");
    if (!form) { return; }
    // Start in the first cell, unless app.js has put the cursor on a cell to mend. A link to
    // #main (the skip link, kept through a redirect) focuses <main> later: start again then.
    var start = form.querySelector("[data-col]:not([disabled])");
    var begin = function () {
      var active = document.activeElement;
      var idle = !active || active === document.body || active.id === "main";
      if (start && idle && !form.querySelector(".is-invalid")) { start.focus(); }
    };
    begin();
    window.addEventListener("load", function () { setTimeout(begin, 0); });
    form.addEventListener("keydown", move);
    var update = function (event) {
      if (event.target.matches('select[data-col="attendance"]')) { followAttendance(form, event.target); }
      refresh(form);
    };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    refresh(form);
  });
})();
