// The preview page's only script: reload the shown formats when the watcher finishes a rebuild.
// The editions themselves never carry a script.
(function () {
  "use strict";
  var body = document.body;
  var edition = body.dataset.edition;
  var source = new EventSource("/events");
  function mine(event) {
    var data = JSON.parse(event.data);
    // A build that gave the edition a new id names the old one too ("was").
    return data.edition === edition || (data.was && data.was === edition) ? data : null;
  }
  source.addEventListener("build", function (event) {
    var data = mine(event);
    if (!data) return;
    var renamed = data.edition !== edition;
    if (!renamed && Number(data.generation) <= Number(body.dataset.generation)) {
      // Nothing newer than this page shows (told again as the page connected, or a source error
      // undone by saving the text of the build shown): only the status may change.
      if (data.text) say("status", data.text, "ok");
      return;
    }
    // The list of files and every view come from the new manifest: reload the page, keeping the
    // reader's place in the HTML edition.
    var frame = document.querySelector("iframe[data-live]");
    try {
      if (frame && frame.contentWindow) {
        sessionStorage.setItem("archivekit-scroll", String(frame.contentWindow.scrollY));
      }
    } catch (e) { /* a PDF viewer frame: nothing to keep */ }
    sessionStorage.setItem("archivekit-page", String(window.scrollY));
    if (renamed && location.pathname.indexOf("/edition/") === 0) {
      location.replace("/edition/" + encodeURIComponent(data.edition) + "/");
    } else {
      location.reload();
    }
  });
  function say(id, text, cls) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; if (cls) el.className = cls; }
  }
  source.addEventListener("failed", function (event) {
    var data = mine(event);
    if (data) say("status", "Error: " + data.text, "error");
  });
  source.addEventListener("verdict", function (event) {
    var data = mine(event);
    if (data) say("verdict", data.text);
  });
  var page = sessionStorage.getItem("archivekit-page");
  if (page !== null) { window.scrollTo(0, Number(page)); sessionStorage.removeItem("archivekit-page"); }
  var frame = document.querySelector("iframe[data-live]");
  var kept = sessionStorage.getItem("archivekit-scroll");
  if (frame && kept !== null) {
    var restore = function () {
      try { frame.contentWindow.scrollTo(0, Number(kept)); } catch (e) { /* not same-origin */ }
      sessionStorage.removeItem("archivekit-scroll");
    };
    // This deferred script may run after the frame has loaded (its load event already past): then
    // the place is restored at once. A frame still blank is loading: wait for it.
    var shown = null;
    try { shown = frame.contentDocument; } catch (e) { /* not same-origin */ }
    if (shown && shown.readyState === "complete" && shown.URL !== "about:blank") restore();
    else frame.addEventListener("load", restore);
  }
})();
