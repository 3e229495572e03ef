// Where is the output's server, and is it still the one that made the output?
// Decided in the browser: only the notebook page knows where Jupyter lives.
function htmxwsUrl(spec, path, socket) {
  function jupyterBase() {
    var config = document.getElementById("jupyter-config-data");
    if (config) { try { return JSON.parse(config.textContent).baseUrl || "/"; } catch (e) {} }
    return (document.body && document.body.getAttribute("data-base-url")) || spec.hubPrefix || "/";
  }
  var loopback = /^(localhost|127\.|\[::1\]$|::1$)/.test(location.hostname);
  var mode = spec.mode, url;
  if (mode === "auto") mode = (spec.hubPrefix || !loopback) ? "proxy" : "direct";
  if (mode === "proxy") {
    var base = jupyterBase();
    url = base + (base.slice(-1) === "/" ? "" : "/") + "proxy/" + spec.port + path;
  } else if (mode === "direct") {
    url = spec.direct + path;
  } else {
    url = mode.replace("{port}", spec.port).replace(/\/$/, "") + path;
  }
  url = new URL(url, location.href).href;
  return socket ? url.replace(/^http/, "ws") : url;
}

// Calls done(true) only if the server at the output's address answers with the output's
// server id: a saved notebook reopened later must not load (or send its token to) whatever
// else listens on that port now.
function htmxwsVerify(spec, done) {
  var controller = window.AbortController ? new AbortController() : null;
  var timer = setTimeout(function () { if (controller) controller.abort(); }, 5000);
  var finish = function (ok) { clearTimeout(timer); done(ok); };
  try {
    fetch(htmxwsUrl(spec, spec.idPath, false), { cache: "no-store", signal: controller && controller.signal })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) { finish(text.trim() === spec.serverId); }, function () { finish(false); });
  } catch (e) {
    finish(false);
  }
}
