// A driver's trip page, kept up to date: while the trip has not ended, the
// page looks again every data-refresh seconds and puts the new trip in
// place, so that a driver waiting in the yard sees the call without a
// reload; a change of status is also announced to screen readers.
(function () {
  function start() {
    var result = document.getElementById("result");
    if (!result || !result.dataset.refresh || !window.fetch || !window.DOMParser) return;
    var every = Math.max(1, parseInt(result.dataset.refresh, 10)) * 1000;
    function look() {
      fetch(location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("result");
          var now = document.getElementById("result");
          if (!fresh || !now) return;
          var was = now.querySelector(".status"), is = fresh.querySelector(".status");
          now.replaceWith(document.importNode(fresh, true));
          if (was && is && was.dataset.status !== is.dataset.status) {
            var next = fresh.querySelector(".next");
            document.getElementById("trip-live").textContent = is.textContent + (next ? ". " + next.textContent : "");
          }
          if (fresh.dataset.refresh) setTimeout(look, every);
        })
        .catch(function () { setTimeout(look, every * 2); });
    }
    setTimeout(look, every);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
