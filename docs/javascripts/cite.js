// Copy buttons for formatted references: rich text (italics kept) and plain text together,
// so a word processor pastes the reference as the style prints it and a text field gets
// the same words. The buttons stay hidden where the Clipboard API is missing.
(function () {
  "use strict";

  function copy(reference, button) {
    var text = reference.querySelector(".kb-reference__text");
    var html = text.innerHTML;
    var plain = text.textContent.replace(/\s+/g, " ").trim();
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (window.ClipboardItem && navigator.clipboard.write) {
      var item = new ClipboardItem({
        "text/html": new Blob([html], { type: "text/html" }),
        "text/plain": new Blob([plain], { type: "text/plain" })
      });
      navigator.clipboard.write([item]).then(done, function () {
        navigator.clipboard.writeText(plain).then(done);
      });
    } else {
      navigator.clipboard.writeText(plain).then(done);
    }
  }

  function setUp() {
    if (!navigator.clipboard) {
      return;
    }
    document.querySelectorAll(".kb-reference").forEach(function (reference) {
      var button = reference.querySelector(".kb-reference__copy");
      if (!button || button.dataset.ready) {
        return;
      }
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () { copy(reference, button); });
    });
  }

  if (window.document$) {
    window.document$.subscribe(setUp); // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
})();
