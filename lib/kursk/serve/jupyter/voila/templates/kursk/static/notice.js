/* Kursk Figures: a page never shows stale numbers. When its kernel connection ends for any
   reason other than the page itself going away (the server closed it, the kernel died or was
   culled after a long idle time, the network dropped), or the kernel reports itself dead or
   restarting, the page at once
   - switches off every control of the dashboard (nothing the reader does changes the page any
     more: the charts, sentences and table stay as they were, all of one view), and
   - says so in words, with a Reload button. The page's address always holds its view
     (dashboard/bar.js), so Reload shows the same view again.
   Close codes (lib/kursk/serve/sockets.py): 4001 the kernel stopped (it died, or hit its
   memory ceiling); 1008 the server refused what the connection sent.
   Loaded before Voila's scripts: it wraps WebSocket, for the kernel channels only.
   window.kurskNotice(text) shows the same notice for other causes. */
(function () {
  'use strict';
  var Native = window.WebSocket;
  if (!Native) { return; }
  var REASONS = {
    4001: 'This view has stopped: its connection to the server has ended.',
    1008: 'This view was disconnected by the server.'
  };
  var STOPPED = 'This view has stopped: its kernel on the server stopped.';
  var LOST = 'This view has stopped: its connection to the server was lost (the server ends ' +
    'views left idle for a long time, or the network dropped).';
  var CONTROLS = 'input, select, button, textarea, [tabindex]';
  var leaving = false;
  var frozen = false;
  window.addEventListener('pagehide', function () { leaving = true; });
  window.addEventListener('beforeunload', function () { leaving = true; });

  function inNotice(node) {
    return node && node.closest && node.closest('#kursk-stopped');
  }

  function switchOff(root) {
    var nodes = root.querySelectorAll ? root.querySelectorAll(CONTROLS) : [];
    Array.prototype.forEach.call(nodes, function (el) {
      if (inNotice(el)) { return; }
      if ('disabled' in el) { el.disabled = true; }
      el.setAttribute('aria-disabled', 'true');
    });
  }

  // Whatever a control would still do (a click, a typed date) goes nowhere.
  function swallow(event) {
    if (!frozen || inNotice(event.target)) { return; }
    if (event.target && event.target.closest && event.target.closest('.kursk-dashboard')) {
      event.stopImmediatePropagation();
      event.preventDefault();
    }
  }

  function freeze() {
    if (frozen) { return; }
    frozen = true;
    var body = document.body || document.documentElement;
    body.classList.add('kursk-frozen');
    switchOff(document);
    ['click', 'change', 'input', 'pointerdown', 'mousedown', 'touchstart', 'submit'].forEach(
      function (type) { document.addEventListener(type, swallow, true); });
    // controls drawn after this moment (a page still loading) are switched off as they come
    if (window.MutationObserver) {
      new MutationObserver(function (records) {
        records.forEach(function (r) {
          Array.prototype.forEach.call(r.addedNodes, function (n) {
            if (n.nodeType === 1) { switchOff(n); if (n.matches && n.matches(CONTROLS) && !inNotice(n)) { n.disabled = true; } }
          });
        });
      }).observe(body, { childList: true, subtree: true });
    }
  }

  function notice(text) {
    freeze();
    if (document.getElementById('kursk-stopped')) { return; }
    var box = document.createElement('div');
    box.id = 'kursk-stopped';
    box.className = 'kursk-stopped';
    box.setAttribute('role', 'alert');
    var words = document.createElement('span');
    words.textContent = text + ' Its controls are switched off, so what you see stays as it ' +
      'was. Reload the page to continue with the same view. ';
    var reload = document.createElement('button');
    reload.type = 'button';
    reload.textContent = 'Reload';
    reload.addEventListener('click', function () { window.location.reload(); });
    box.appendChild(words);
    box.appendChild(reload);
    (document.body || document.documentElement).appendChild(box);
  }

  // The kernel's own word on its state: iopub "status" messages, "dead" or "restarting"
  // (a restarted kernel has none of this page's widgets). Frames are the v1 binary protocol
  // (u64 count, u64 offsets, channel, header, parent, metadata, content) or legacy JSON text.
  var decoder = window.TextDecoder ? new TextDecoder() : null;
  function part(view, offsets, i) {
    return decoder.decode(new Uint8Array(view.buffer, view.byteOffset + offsets[i],
      offsets[i + 1] - offsets[i]));
  }
  function kernelState(data) {
    try {
      if (typeof data === 'string') {
        if (data.indexOf('"status"') < 0) { return null; }
        var msg = JSON.parse(data);
        return msg.channel === 'iopub' && msg.header && msg.header.msg_type === 'status' ?
          msg.content.execution_state : null;
      }
      if (!(data instanceof ArrayBuffer) || !decoder || data.byteLength < 8) { return null; }
      var view = new DataView(data);
      var n = view.getUint32(0, true);
      if (n < 6 || n > 64 || data.byteLength < 8 * (n + 1)) { return null; }
      var offsets = [];
      for (var i = 0; i < n; i++) { offsets.push(view.getUint32(8 * (i + 1), true)); }
      if (part(view, offsets, 0) !== 'iopub') { return null; }
      var header = part(view, offsets, 1);
      if (header.indexOf('"status"') < 0 || JSON.parse(header).msg_type !== 'status') {
        return null;
      }
      return JSON.parse(part(view, offsets, 4)).execution_state;
    } catch (err) {
      return null;
    }
  }

  function KernelSocket(url, protocols) {
    var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    if (/\/api\/kernels\/[^/]+\/channels/.test(String(url))) {
      ws.addEventListener('close', function (event) {
        if (leaving) { return; }
        notice(REASONS[event.code] || LOST);
      });
      ws.addEventListener('message', function (event) {
        var state = kernelState(event.data);
        if (state === 'dead' || state === 'restarting') { notice(STOPPED); }
      });
    }
    return ws;
  }
  KernelSocket.prototype = Native.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(function (k) { KernelSocket[k] = Native[k]; });
  window.WebSocket = KernelSocket;
  window.kurskNotice = notice;
}());
