// Gongzhi's only script: a tap on a pickable map fills the latitude and longitude boxes, a
// deadline counts down, and the queues (console, worklist) reload themselves while nobody is
// typing in them. Everything works without it (type the coordinates; reload the page).
"use strict";
(function () {
  function pick(svg, event) {
    var box = svg.getBoundingClientRect();
    var vb = svg.viewBox.baseVal;
    var x = (event.clientX - box.left) * vb.width / box.width;
    var y = (event.clientY - box.top) * vb.height / box.height;
    var lon = parseFloat(svg.dataset.lon0) + x / parseFloat(svg.dataset.sx);
    var lat = parseFloat(svg.dataset.lat0) - y / parseFloat(svg.dataset.sy);
    var form = svg.closest("form");
    if (!form) { return; }
    form.querySelector("[name=lat]").value = lat.toFixed(6);
    form.querySelector("[name=lon]").value = lon.toFixed(6);
    var dot = svg.querySelector("circle.point");
    if (dot) { dot.setAttribute("cx", x.toFixed(1)); dot.setAttribute("cy", y.toFixed(1)); }
  }

  function words(ms, zh) {
    var late = ms < 0, minutes = Math.floor(Math.abs(ms) / 60000), n, unit;
    if (minutes < 60) { n = minutes; unit = zh ? "分钟" : "min"; }
    else if (minutes < 2880) { n = Math.floor(minutes / 60); unit = zh ? "小时" : (n === 1 ? "hour" : "hours"); }
    else { n = Math.floor(minutes / 1440); unit = zh ? "天" : (n === 1 ? "day" : "days"); }
    if (zh) { return (late ? "超期 " : "剩余 ") + n + " " + unit; }
    return n + " " + unit + (late ? " overdue" : " left");
  }

  function tick() {
    var zh = document.documentElement.lang.indexOf("zh") === 0;
    document.querySelectorAll("[data-due-ms]").forEach(function (el) {
      el.textContent = words(parseInt(el.dataset.dueMs, 10) - Date.now(), zh);
    });
  }

  // The cockpit listens to its event stream and swaps in fresh figures: one request at a time,
  // never more often than every three seconds, and not while the picker is being used.
  function live(root) {
    if (!window.EventSource || !window.fetch) { return; }
    var busy = false, last = 0, pending = false;
    function refresh() {
      var picking = root.querySelector(".picker") && root.querySelector(".picker").contains(document.activeElement);
      if (busy || picking || Date.now() - last < 3000) { pending = true; return; }
      busy = true; pending = false; last = Date.now();
      fetch(window.location.href, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
        if (html) {
          var next = new DOMParser().parseFromString(html, "text/html").querySelector(".cockpit");
          if (next) {
            root.innerHTML = next.innerHTML;
            var state = root.querySelector(".live-state");
            if (state) { state.hidden = false; }
          }
        }
      }).catch(function () {}).then(function () { busy = false; });
    }
    var source = new EventSource(root.dataset.live);
    source.addEventListener("changed", refresh);
    setInterval(function () { if (pending) { refresh(); } }, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var cockpit = document.querySelector(".cockpit[data-live]");
    if (cockpit) { live(cockpit); }
    var printer = document.querySelector("[data-print]");
    if (printer) { printer.addEventListener("click", function () { window.print(); }); }
    document.querySelectorAll("svg.map.pick").forEach(function (svg) {
      svg.addEventListener("click", function (event) { pick(svg, event); });
    });
    if (document.querySelector("[data-due-ms]")) { setInterval(tick, 30000); }
    var every = parseInt(document.body.dataset.refresh || "0", 10);
    if (every > 0) {
      setInterval(function () {
        var typing = Array.prototype.some.call(document.querySelectorAll("input, textarea, select"), function (e) {
          var edited = e.tagName !== "SELECT" && e.type !== "radio" && e.type !== "checkbox" && e.value !== e.defaultValue;
          return e.type !== "hidden" && (e === document.activeElement || edited);
        });
        if (!typing) { window.location.reload(); }
      }, every * 1000);
    }
  });
})();
