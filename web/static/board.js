// The board's live updates: the server sends the board's live part as HTML
// (Server-Sent Events, event "board") whenever it changes. The script loads
// async, so that a slow line shows the board before it: it may run before
// the page is parsed, and then waits for it.
(function () {
  function start() {
    var board = document.getElementById("board");
    var live = document.getElementById("live");
    if (!board || !window.EventSource) return;
    var es = new EventSource(board.dataset.stream);
    es.addEventListener("open", function () { live.textContent = live.dataset.live; });
    es.addEventListener("error", function () { live.textContent = live.dataset.offline; });
    es.addEventListener("board", function (e) { board.innerHTML = e.data; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
