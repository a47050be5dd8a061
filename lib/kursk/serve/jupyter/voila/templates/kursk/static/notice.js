/* Kursk Figures: say so when the server ends this page's kernel connection on purpose,
   instead of leaving a page that silently stopped updating.
   Codes (lib/kursk/serve/sockets.py): 4001 the kernel stopped (it died, or hit its memory
   ceiling); 1008 the server refused what the connection sent.
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

  function notice(text) {
    if (document.getElementById('kursk-stopped')) { return; }
    var box = document.createElement('div');
    box.id = 'kursk-stopped';
    box.className = 'kursk-stopped';
    box.setAttribute('role', 'alert');
    var words = document.createElement('span');
    words.textContent = text + ' Reload the page to continue. ';
    var reload = document.createElement('button');
    reload.type = 'button';
    reload.textContent = 'Reload';
    reload.addEventListener('click', function () { window.location.reload(); });
    box.appendChild(words);
    box.appendChild(reload);
    (document.body || document.documentElement).appendChild(box);
  }

  function KernelSocket(url, protocols) {
    var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    if (/\/api\/kernels\/[^/]+\/channels/.test(String(url))) {
      ws.addEventListener('close', function (event) {
        if (REASONS[event.code]) { notice(REASONS[event.code]); }
      });
    }
    return ws;
  }
  KernelSocket.prototype = Native.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(function (k) { KernelSocket[k] = Native[k]; });
  window.WebSocket = KernelSocket;
  window.kurskNotice = notice;
}());
