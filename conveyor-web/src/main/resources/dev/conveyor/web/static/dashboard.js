// Conveyor dashboard: the only script, served by the dashboard itself (the CSP allows nothing inline).
// 1. Buttons with data-confirm ask before their form is sent.
// 2. On the overview, every 2 s: GET /api/stats, update the queue table's numbers, redraw the throughput chart.
"use strict";

document.addEventListener("submit", function (e) {
  var button = e.submitter;
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) e.preventDefault();
});

(function () {
  var canvas = document.getElementById("throughput");
  if (!canvas) return;
  var status = document.getElementById("chart-status");
  var STATES = ["READY", "SCHEDULED", "RUNNING", "SUCCEEDED", "DEAD", "CANCELLED"];

  function age(seconds) {
    if (seconds === null || seconds === undefined) return "-";
    if (seconds < 60) return seconds + " s";
    if (seconds < 3600) return Math.floor(seconds / 60) + " m " + (seconds % 60) + " s";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " m";
    return Math.floor(seconds / 86400) + " d " + Math.floor((seconds % 86400) / 3600) + " h";
  }

  function setCell(row, field, text) {
    var cell = row.querySelector('[data-field="' + field + '"]');
    if (!cell) return;
    var target = cell.querySelector("a") || cell;
    target.textContent = text; // textContent: data never becomes markup
  }

  function updateTable(queues) {
    queues.forEach(function (q) {
      var row = document.querySelector('tr[data-queue="' + CSS.escape(q.queue) + '"]');
      if (!row) return; // a new queue shows after a reload
      STATES.forEach(function (s) { setCell(row, s, String(q.counts[s] || 0)); });
      setCell(row, "rate", q.ratePerSecond.toFixed(1) + "/s");
      setCell(row, "oldest", age(q.oldestReadyAgeSeconds));
    });
  }

  function line(ctx, points, pick, max, color, w, h, pad) {
    if (points.length < 2) return;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    var t0 = points[0].at, t1 = points[points.length - 1].at, span = Math.max(1, t1 - t0);
    points.forEach(function (p, i) {
      var x = pad + (w - 2 * pad) * (p.at - t0) / span;
      var y = h - pad - (h - 2 * pad) * pick(p) / max;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }

  function draw(series) {
    var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, pad = 24;
    ctx.clearRect(0, 0, w, h);
    var maxRate = Math.max(1, Math.max.apply(null, series.map(function (p) { return p.perSecond; })));
    var maxReady = Math.max(1, Math.max.apply(null, series.map(function (p) { return p.ready; })));
    ctx.strokeStyle = "#ccc";
    ctx.lineWidth = 1;
    ctx.strokeRect(pad, pad, w - 2 * pad, h - 2 * pad);
    ctx.fillStyle = "#555";
    ctx.font = "12px sans-serif";
    ctx.fillText(maxRate.toFixed(1) + "/s", 2, pad - 6);
    ctx.fillText(maxReady + " ready", w - pad - 70, pad - 6);
    line(ctx, series, function (p) { return p.ready; }, maxReady, "#d98c00", w, h, pad);
    line(ctx, series, function (p) { return p.perSecond; }, maxRate, "#1f6fd1", w, h, pad);
  }

  function poll() {
    fetch("/api/stats", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        updateTable(data.queues);
        draw(data.series);
        canvas.setAttribute("data-points", String(data.series.length));
        if (status) status.textContent = "updated " + new Date().toLocaleTimeString();
      })
      .catch(function (err) { if (status) status.textContent = "not updating: " + err.message; });
  }

  poll();
  setInterval(poll, 2000);
})();
