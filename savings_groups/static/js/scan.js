// Scan to find: a card reader types the card's code and Enter into the box; the server finds the
// member (cards.find, JSON) and the page selects them: the meeting grid's row, the loan's
// borrower, or the member's passbook. Without script the box's form does the same by a redirect.
// "Scan with the camera" reads the card with the vendored jsQR, loaded on first use.
(function () {
  "use strict";

  function say(form, message, ok) {
    var status = form.querySelector(".scan-status");
    status.textContent = message;
    status.classList.toggle("text-danger", !ok);
    status.classList.toggle("text-success", ok);
  }

  function selectOnGrid(form, found) {
    var row = document.getElementById("row-m" + found.member);
    if (!row) { return false; }
    document.querySelectorAll(".scan-selected").forEach(function (r) { r.classList.remove("scan-selected"); });
    row.classList.add("scan-selected");
    row.scrollIntoView({ block: "center" });
    var cell = row.querySelector("select:not([disabled]), input:not([disabled])");
    if (cell) { cell.focus(); }
    return true;
  }

  function selectBorrower(form, found) {
    var select = document.getElementById("member");
    if (!select) { return false; }
    select.value = String(found.member);
    select.dispatchEvent(new Event("change", { bubbles: true }));
    select.focus();
    return select.value === String(found.member);
  }

  function lookUp(form) {
    var box = form.querySelector(".scan-code");
    var query = new URLSearchParams(new FormData(form));
    fetch(form.action + "?" + query.toString(), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) { say(form, answer.body.error, false); box.select(); return; }
      var found = answer.body;
      var to = form.dataset.scanTo;
      box.value = "";
      if (to === "passbook") { window.location.assign(found.url); return; }
      var done = to === "grid" ? selectOnGrid(form, found) : selectBorrower(form, found);
      if (done) { say(form, found.message, true); } else { window.location.assign(found.url); }
    }).catch(function () {
      form.submit();  // the server answers without script
    });
  }

  function loadJsQR(src) {
    if (window.jsQR) { return Promise.resolve(window.jsQR); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function camera(form) {
    var button = form.querySelector(".scan-camera");
    var area = form.querySelector(".scan-video");
    var video = area.querySelector("video");
    var stream = null;
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });

    function stop() {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      stream = null;
      area.hidden = true;
      button.hidden = false;
    }

    function tick(jsQR) {
      if (!stream) { return; }
      if (video.readyState === video.HAVE_ENOUGH_DATA) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) {
          form.querySelector(".scan-code").value = code.data;
          stop();
          lookUp(form);
          return;
        }
      }
      window.requestAnimationFrame(function () { tick(jsQR); });
    }

    button.hidden = false;
    button.addEventListener("click", function () {
      loadJsQR(button.dataset.jsqr).then(function (jsQR) {
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
          stream = s;
          video.srcObject = s;
          area.hidden = false;
          button.hidden = true;
          return video.play().then(function () { tick(jsQR); });
        });
      }).catch(function () {
        stop();
        say(form, form.dataset.noCamera, false);
      });
    });
    area.querySelector(".scan-stop").addEventListener("click", stop);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-scan-to]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        lookUp(form);
      });
      if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) { camera(form); }
    });
  });
})();
