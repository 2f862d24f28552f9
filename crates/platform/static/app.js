// Small page helpers; everything else is server-rendered (htmx where a partial update helps).
// No page carries inline script (the Content-Security-Policy forbids it): behaviour is declared
// with data attributes and handled here.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
// <select data-autosubmit>: choosing a value submits its form.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var target = event.target.closest ? event.target.closest("[data-print], [data-back]") : null;
  if (!target) {
    return;
  }
  if (target.hasAttribute("data-print")) {
    window.print();
  } else if (window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
