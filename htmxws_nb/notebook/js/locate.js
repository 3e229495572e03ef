// Where is the output's server, and is it still the one that made the output?
// Decided in the browser: only the notebook page knows where Jupyter lives.
function htmxwsUrl(spec, path, socket, mode) {
  function jupyterBase() {
    var config = document.getElementById("jupyter-config-data");
    if (config) { try { return JSON.parse(config.textContent).baseUrl || "/"; } catch (e) {} }
    return (document.body && document.body.getAttribute("data-base-url")) || spec.hubPrefix || "/";
  }
  var url;
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

// The addresses to try, in order: `auto` tries both, the likelier first (the proxy under
// JupyterHub or from a page that is not on loopback); `kernel` none.
function htmxwsModes(spec) {
  if (spec.mode === "kernel") return [];
  if (spec.mode !== "auto") return [spec.mode];
  var loopback = /^(localhost|127\.|\[::1\]$|::1$)/.test(location.hostname);
  return (spec.hubPrefix || !loopback) ? ["proxy", "direct"] : ["direct", "proxy"];
}

// Calls done(ok) with ok true only if the server at `mode`'s address answers with the
// output's server id: a saved notebook reopened later must not load (or send its token to)
// whatever else listens on that port now.
function htmxwsVerify(spec, mode, done) {
  var controller = window.AbortController ? new AbortController() : null;
  var timer = setTimeout(function () { if (controller) controller.abort(); }, 5000);
  var finish = function (ok) { clearTimeout(timer); done(ok); };
  try {
    fetch(htmxwsUrl(spec, spec.idPath, false, mode), { cache: "no-store", signal: controller && controller.signal })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) { finish(text.trim() === spec.serverId); }, function () { finish(false); });
  } catch (e) {
    finish(false);
  }
}

// done(url, mode) with the first address whose server proves it is the output's, else done(null, null).
function htmxwsFind(spec, path, socket, done) {
  var modes = htmxwsModes(spec);
  (function next(i) {
    if (i >= modes.length) { done(null, null); return; }
    htmxwsVerify(spec, modes[i], function (ok) {
      if (ok) done(htmxwsUrl(spec, path, socket, modes[i]), modes[i]);
      else next(i + 1);
    });
  })(0);
}

// No address answers: hand the output to the kernel channel of its server (a widget displayed
// with the page; see kernel_channel.py), now or when its view renders. taken() is called once
// a view has it. A view whose kernel is gone takes nothing.
function htmxwsHandOver(kind, element, spec, taken) {
  if (spec.mode !== "auto" && spec.mode !== "kernel") return;
  var hub = window.htmxwsKernelChannels = window.htmxwsKernelChannels || { pending: [] };
  hub.pending = hub.pending.filter(function (r) { return r.element !== element && document.contains(r.element); });
  var request = { kind: kind, element: element, spec: spec, taken: taken, done: false };
  hub.pending.push(request);
  document.dispatchEvent(new CustomEvent("htmxws:unreachable", { detail: request }));
}
