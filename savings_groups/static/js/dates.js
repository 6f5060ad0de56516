/* Date fields in the page's language. A browser's own date field writes dates the browser's
   way (12/03/2026 on a French page in an English browser), so each <input type="date"> becomes a
   text field in the pattern the server gives (<html data-date-pattern="dd/MM/yyyy">), with an
   example under it; on submit what was typed goes back as ISO (2026-03-12), which the server
   reads. Text that cannot be read is sent as typed, and the server says what is wrong. */
(function () {
  "use strict";
  var root = document.documentElement;
  var pattern = root.getAttribute("data-date-pattern");
  if (!pattern) { return; }
  var hint = root.getAttribute("data-date-hint") || "";
  var tokens = pattern.match(/d+|M+|y+|[^dMy]+/g) || [];
  var ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) { text = "0" + text; }
    return text;
  }

  function format(iso) {
    var parts = ISO.exec(iso);
    if (!parts) { return iso; }
    var values = { y: parts[1], M: Number(parts[2]), d: Number(parts[3]) };
    return tokens.map(function (token) {
      var letter = token.charAt(0);
      if (letter === "y") { return values.y; }
      if (letter === "M" || letter === "d") { return pad(values[letter], token.length); }
      return token;
    }).join("");
  }

  function asciiDigits(text) {
    // Arabic-Indic and Eastern Arabic-Indic digits read as 0-9.
    return text.replace(/[\u0660-\u0669]/g, function (c) { return c.charCodeAt(0) - 0x0660; })
      .replace(/[\u06f0-\u06f9]/g, function (c) { return c.charCodeAt(0) - 0x06f0; });
  }

  function parse(text) {
    text = asciiDigits(text.trim());
    if (ISO.test(text)) { return text; }
    var numbers = text.match(/\d+/g);
    var order = tokens.filter(function (t) { return /^[dMy]/.test(t); })
      .map(function (t) { return t.charAt(0); });
    if (!numbers || numbers.length !== 3 || order.length !== 3) { return null; }
    var values = {};
    order.forEach(function (letter, i) { values[letter] = Number(numbers[i]); });
    if (numbers[order.indexOf("y")].length <= 2) { values.y += 2000; }
    var day = new Date(Date.UTC(values.y, values.M - 1, values.d));
    if (day.getUTCFullYear() !== values.y || day.getUTCMonth() !== values.M - 1 ||
        day.getUTCDate() !== values.d) { return null; }
    return pad(values.y, 4) + "-" + pad(values.M, 2) + "-" + pad(values.d, 2);
  }

  function convert(input) {
    if (input.hasAttribute("data-native-date")) { return; }
    var iso = input.value;
    input.type = "text";
    input.setAttribute("inputmode", "numeric");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("data-localised-date", "");
    input.value = iso ? format(iso) : "";
    if (hint && input.id) {
      var note = document.createElement("div");
      note.className = "form-text date-hint";
      note.id = input.id + "-date-hint";
      note.textContent = hint;
      input.insertAdjacentElement("afterend", note);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", (described ? described + " " : "") + note.id);
    }
  }

  function toIso(form) {
    form.querySelectorAll("input[data-localised-date]").forEach(function (input) {
      var iso = parse(input.value);
      if (iso) { input.value = iso; }
    });
  }

  document.querySelectorAll("input[type=date]").forEach(convert);
  document.addEventListener("submit", function (event) { toIso(event.target); }, true);
  // A page shown again from the browser's history keeps the ISO values that were sent.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("input[data-localised-date]").forEach(function (input) {
      if (ISO.test(input.value)) { input.value = format(input.value); }
    });
  });
  window.SavingsGroupsDates = { format: format, parse: parse };
})();
