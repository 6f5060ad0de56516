// Copy a member's receipt text: through the clipboard where the browser allows it, else the
// text is left selected for the reader to copy. Nothing is sent anywhere.
(function () {
  "use strict";
  function say(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) { status.textContent = text; }
  }
  function fallback(area) {
    try { return document.execCommand("copy"); } catch (error) { return false; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var id = button.getAttribute("data-copy");
      var area = document.getElementById(id);
      if (!area) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        area.focus();
        area.select();
        var copied = function () { say(id, button.getAttribute("data-copied")); };
        var manual = function () {
          area.focus();
          area.select();
          say(id, button.getAttribute("data-manual"));
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(area.value).then(copied, function () {
            if (fallback(area)) { copied(); } else { manual(); }
          });
        } else if (fallback(area)) {
          copied();
        } else {
          manual();
        }
      });
    });
  });
})();
