// Savings Groups: small helpers; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    // Put the cursor on the first field with an error, so it can be mended at once.
    var invalid = document.querySelector(".is-invalid");
    if (invalid) { invalid.focus(); }

    // The language list changes language as soon as one is chosen.
    document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });

    // Ask before an action that is hard to undo.
    document.querySelectorAll("[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });

    // A shared laptop: lock the screen after the idle time, as the server would refuse anyway.
    var minutes = parseInt(document.body.getAttribute("data-idle-minutes") || "0", 10);
    var lockForm = document.getElementById("lock-form");
    if (minutes > 0 && lockForm) {
      var timer;
      var restart = function () {
        clearTimeout(timer);
        timer = setTimeout(function () { lockForm.submit(); }, minutes * 60 * 1000);
      };
      ["keydown", "mousedown", "touchstart", "scroll"].forEach(function (name) {
        document.addEventListener(name, restart, { passive: true });
      });
      restart();
    }
  });
})();
