// The receipt page's copy button: shown only when the browser can copy (without JavaScript
// the code is still there to write down). Copies the code, then says so in a live region.
(function () {
  "use strict";
  function ready() {
    var button = document.getElementById("copy-code");
    var code = document.getElementById("receipt-code");
    var status = document.getElementById("copy-status");
    if (!button || !code || !status || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent.trim()).then(
        function () { status.textContent = button.dataset.done; },
        function () { status.textContent = button.dataset.failed; }
      );
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
