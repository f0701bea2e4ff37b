// Wide tables scroll sideways; keyboard users must be able to reach and scroll them
// (WCAG 2.1.1, axe rule scrollable-region-focusable). Material wraps tables at runtime.
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
    if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Table, scrolls sideways");
    }
  });
});
