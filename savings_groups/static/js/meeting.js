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

  // Minor units written as the server writes them: Babel's affixes for the locale and the
  // currency (data-prefix and data-suffix, from the view), its group and decimal symbols.
  function format(minor, form) {
    var digits = parseInt(form.dataset.digits, 10);
    var negative = minor < 0n;
    var text = (negative ? -minor : minor).toString();
    while (text.length <= digits) { text = "0" + text; }
    var whole = digits ? text.slice(0, -digits) : text;
    var fraction = digits ? text.slice(-digits) : "";
    var grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, form.dataset.group);
    var number = grouped + (digits ? form.dataset.decimal + fraction : "");
    var data = form.dataset;
    return negative ? data.negPrefix + number + data.negSuffix : data.prefix + number + data.suffix;
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
    showTotals(form, shares * shareValue, shares, fines);
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

  // The grid's totals row: what the columns add up to, as the ledger will after the close.
  function showTotals(form, shareAmount, shares, fines) {
    var set = function (id, text) {
      var output = document.getElementById(id);
      if (output) { output.textContent = text; }
    };
    var away = (form.dataset.away || "").split(" ");
    var selects = form.querySelectorAll('select[data-col="attendance"]');
    var there = 0;
    selects.forEach(function (select) { if (away.indexOf(select.value) === -1) { there += 1; } });
    set("total-present", there + " / " + selects.length);
    set("total-social_fund", format(sumColumn(form, "social_fund"), form));
    set("total-shares", shares.toString() + " · " + format(shareAmount, form));
    set("total-repayment", format(sumColumn(form, "repayment"), form));
    set("total-fines", format(fines, form));
    set("total-welfare", format(sumColumn(form, "welfare"), form));
  }

  // One-key fills. Each fills only what it names, marks the cells it filled (class "filled")
  // and can be undone; the close then lists the rows filled, to confirm.
  var undoStack = [];

  function setCell(changes, element, value) {
    if (element.disabled || element.value === value) { return; }
    changes.push({ element: element, value: element.value, filled: element.classList.contains("filled") });
    element.value = value;
    element.classList.add("filled");
  }

  function isAway(form, row) {
    var select = row.querySelector('select[data-col="attendance"]');
    return select && (form.dataset.away || "").split(" ").indexOf(select.value) !== -1;
  }

  function fill(form, what) {
    var changes = [];
    form.querySelectorAll("tr[data-member]").forEach(function (row) {
      if (what === "present") {
        var select = row.querySelector('select[data-col="attendance"]');
        if (select) {
          setCell(changes, select, "present");
          followAttendance(form, select);
        }
        return;
      }
      if (isAway(form, row)) { return; }
      if (what === "shares") {
        var shares = row.querySelector('[data-col="shares"][data-previous]');
        if (shares && shares.value.trim() === "" && shares.dataset.previous !== "0") {
          setCell(changes, shares, shares.dataset.previous);
        }
      } else if (what === "paid") {
        var social = row.querySelector('[data-col="social_fund"][data-contribution]');
        if (social && social.value.trim() === "") { setCell(changes, social, social.dataset.contribution); }
        var repayment = row.querySelector('[data-col="repayment"][data-due]');
        if (repayment && repayment.value.trim() === "") { setCell(changes, repayment, repayment.dataset.due); }
      }
    });
    if (changes.length) { undoStack.push(changes); }
    report(form, changes.length ? "filled" : "nothing", changes.length);
    refresh(form);
  }

  function undo(form) {
    var changes = undoStack.pop();
    if (!changes) { return; }
    changes.slice().reverse().forEach(function (change) {
      change.element.value = change.value;
      change.element.classList.toggle("filled", change.filled);
      if (change.element.matches("select")) { followAttendance(form, change.element); }
    });
    report(form, "undone", changes.length);
    refresh(form);
  }

  function report(form, kind, count) {
    var status = document.getElementById("fill-status");
    if (status) { status.textContent = (status.dataset[kind] || "").replace("{n}", count); }
    var button = form.querySelector('[data-fill="undo"]');
    if (button) { button.disabled = undoStack.length === 0; }
  }

  // Before a close, the rows a fill touched are listed (member, column, value) to confirm.
  function review(form) {
    var list = document.getElementById("fill-review-list");
    var panel = document.getElementById("fill-review");
    var headers = form.querySelectorAll(".meeting-grid thead th");
    list.textContent = "";
    form.querySelectorAll("tr[data-member]").forEach(function (row) {
      var filled = row.querySelectorAll(".filled");
      if (!filled.length) { return; }
      var parts = [];
      filled.forEach(function (element) {
        var header = headers[element.closest("td").cellIndex];
        var value = element.matches("select") ? element.options[element.selectedIndex].text : element.value;
        parts.push((header ? header.textContent.trim() : "") + " " + value);
      });
      var item = document.createElement("li");
      item.textContent = row.querySelector("th").textContent.trim() + " — " + parts.join(" · ");
      list.appendChild(item);
    });
    panel.hidden = false;
    document.getElementById("fill-confirm").focus();
  }

  // Up and down move to the same column in the row above or below, in every column (Alt+Down
  // still opens a list).
  function move(event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var input = event.target;
    if (!input.matches("input[data-col], select[data-col]")) { return; }
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
    var actions = document.getElementById("fill-actions");
    if (actions) {
      actions.hidden = false;
      form.querySelector('[data-fill="undo"]').disabled = true;  // nothing to undo yet
      actions.addEventListener("click", function (event) {
        var button = event.target.closest("[data-fill]");
        if (!button) { return; }
        if (button.dataset.fill === "undo") { undo(form); } else { fill(form, button.dataset.fill); }
      });
      // Alt+Shift+digit, by the key's place (Shift changes the character it types).
      document.addEventListener("keydown", function (event) {
        if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) { return; }
        var digit = /^(?:Digit|Numpad)(\d)$/.exec(event.code || "");
        if (!digit) { return; }
        var action = { 1: "present", 2: "shares", 3: "paid" }[digit[1]];
        if (action) { fill(form, action); }
        else if (digit[1] === "0") { undo(form); }
        else if (digit[1] === "9") {
          var count = form.querySelector("[data-counted]:not([disabled])");
          if (count) { count.focus(); count.select(); }
        } else { return; }
        event.preventDefault();
      });
      var confirmed = false;
      var confirm = document.getElementById("fill-confirm");
      if (confirm) {
        confirm.addEventListener("click", function () {
          confirmed = true;
          form.requestSubmit(document.getElementById("close-meeting"));
        });
      }
      form.addEventListener("submit", function (event) {
        var submitter = event.submitter;
        if (submitter && submitter.value === "close" && !confirmed &&
            form.querySelector(".meeting-grid .filled")) {
          event.preventDefault();
          review(form);
        }
      });
    }
    var update = function (event) {
      if (event.type === "input" && event.target.classList) { event.target.classList.remove("filled"); }
      if (event.target.matches('select[data-col="attendance"]')) { followAttendance(form, event.target); }
      refresh(form);
    };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    refresh(form);
  });
})();
