// The declaration form, checked as it is filled in: when a field changes,
// the form is posted for a check (the server's own rules, on the fields
// typed so far) and each field's refusal is put beside it, or taken away.
// Only the messages change: what is typed, and the focus, stay.
(function () {
  var form = document.getElementById("declare-form");
  if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;
  var pending = null;
  form.addEventListener("change", function () {
    if (pending) pending.abort();
    var ctl = pending = new AbortController();
    fetch(form.dataset.check, { method: "POST", body: new URLSearchParams(new FormData(form)), signal: ctl.signal })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        form.querySelectorAll("input[id], select[id]").forEach(function (el) {
          var errId = el.id + "-err";
          var mine = document.getElementById(errId), theirs = doc.getElementById(errId);
          if (theirs && mine) {
            mine.textContent = theirs.textContent;
          } else if (theirs) {
            (el.closest(".field") || el.parentNode).appendChild(document.importNode(theirs, true));
          } else if (mine) {
            mine.remove();
          }
          var now = doc.getElementById(el.id);
          ["aria-invalid", "aria-describedby"].forEach(function (a) {
            if (now && now.hasAttribute(a)) el.setAttribute(a, now.getAttribute(a));
            else el.removeAttribute(a);
          });
        });
      })
      .catch(function () {});
  });
})();
