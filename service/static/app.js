/* dakscan desk screens: small progressive helpers. Every page works without this file;
   with it the inbox refreshes itself, the review screen zooms, pages and shows where a
   field was read from, and Enter confirms. No library, no build step. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  /* --- choices that apply at once (desk pickers) --- */
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });

  /* --- upload: the scan goes to the service's upload API; each file gets a line saying
         how it went, with the one next step (check it) as a button --- */
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }
  function refreshInbox() { if (window.dakscanRefresh) { window.dakscanRefresh(); } }
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var results = form.parentNode.querySelector(".upload-results");
    var input = form.querySelector("input[type=file]");
    var btn = form.querySelector("button[type=submit]");
    var label = btn.textContent;
    function line(name) {
      var li = document.createElement("li");
      li.className = "upload-line busy";
      var spin = document.createElement("span"); spin.className = "spinner"; spin.setAttribute("aria-hidden", "true");
      var file = document.createElement("span"); file.className = "file"; file.textContent = name;
      var msg = document.createElement("span"); msg.className = "msg"; msg.textContent = form.getAttribute("data-reading");
      li.appendChild(spin); li.appendChild(file); li.appendChild(msg);
      results.insertBefore(li, results.firstChild);
      return li;
    }
    function done(li, kind, text, href) {
      li.className = "upload-line " + kind;
      var spin = li.querySelector(".spinner"); if (spin) { spin.remove(); }
      li.querySelector(".msg").textContent = text;
      if (href) {
        var a = document.createElement("a"); a.className = "btn btn-primary"; a.href = href;
        a.textContent = form.getAttribute("data-open"); li.appendChild(a);
      }
    }
    function send(file) {
      var li = line(file.name);
      var fd = new FormData();
      fd.append("file", file, file.name);
      var desk = form.querySelector("input[name=desk]");
      if (desk && desk.value) { fd.append("desk", desk.value); }
      var mode = form.querySelector("select[name=delivery_mode]");
      if (mode && mode.value) { fd.append("delivery_mode", mode.value); }
      return fetch(form.action, { method: "POST", body: fd, credentials: "same-origin" })
        .then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (body) {
            if (r.status === 201 || r.status === 200) {
              var key = r.status === 201 ? "data-ok" : "data-dup";
              done(li, r.status === 201 ? "ok" : "dup", fill(form.getAttribute(key), { diary: body.diary_no || "" }),
                   body.id ? "/dak/" + body.id : null);
            } else {
              var why = (form.getAttribute("data-lang") === "hi" && body.detail_hi) ? body.detail_hi : (body.detail || "");
              done(li, "bad", fill(form.getAttribute("data-fail"), { reason: why }), null);
            }
          });
        })
        .catch(function () { done(li, "bad", form.getAttribute("data-offline"), null); })
        .then(refreshInbox);
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) { input.focus(); return; }
      btn.disabled = true; btn.textContent = form.getAttribute("data-busy");
      refreshInbox();
      files.reduce(function (p, f) { return p.then(function () { return send(f); }); }, Promise.resolve())
        .then(function () {
          btn.disabled = false; btn.textContent = label;
          var keep = form.querySelector("select[name=delivery_mode]");
          var kept = keep ? keep.value : "";
          form.reset(); input.dispatchEvent(new Event("change"));
          if (keep) { keep.value = kept; }  /* the next letters likely came the same way */
        });
    });
  });

  /* --- file picker: show the chosen file's name in our own words --- */
  document.querySelectorAll(".file-drop").forEach(function (drop) {
    var input = drop.querySelector("input[type=file]");
    var name = drop.querySelector(".file-name");
    input.addEventListener("change", function () {
      var f = input.files && input.files[0];
      var n = input.files ? input.files.length : 0;
      name.textContent = n > 1 ? (f.name + " +" + (n - 1)) : (f ? f.name : name.getAttribute("data-empty"));
      name.classList.toggle("chosen", !!f);
    });
  });

  /* --- inbox: live refresh while the watcher and the reader work --- */
  document.querySelectorAll("[data-refresh]").forEach(function (box) {
    var url = box.getAttribute("data-refresh");
    var every = parseInt(box.getAttribute("data-interval") || "5000", 10);
    var busy = false;
    function signature() {
      var s = box.querySelector("[data-signature]");
      return s ? s.getAttribute("data-signature") : "";
    }
    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) {
          if (r.redirected || r.status === 401 || r.status === 303) { window.location.reload(); return null; }
          if (!r.ok) { return null; }
          var sig = r.headers.get("X-Signature") || "";
          return r.text().then(function (html) { return { sig: sig, html: html }; });
        })
        .then(function (res) {
          if (!res) { return; }
          var focused = document.activeElement && box.contains(document.activeElement);
          if (res.sig !== signature() && !focused) {
            box.innerHTML = res.html;
          } else {
            var note = box.querySelector(".refresh-note");
            var fresh = new DOMParser().parseFromString(res.html, "text/html").querySelector(".refresh-note");
            if (note && fresh) { note.textContent = fresh.textContent; }
          }
        })
        .catch(function () { /* offline for a moment: try again next tick */ })
        .then(function () { busy = false; });
    }
    setInterval(tick, every);
    window.dakscanRefresh = tick;
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { tick(); } });
  });

  /* --- review: page viewer with zoom, paging and evidence boxes --- */
  var viewer = document.querySelector(".viewer");
  if (viewer && viewer.querySelector(".page-img")) {
    var frame = viewer.querySelector(".page-frame");
    var wrap = viewer.querySelector(".page-wrap");
    var layer = viewer.querySelector(".evidence-layer");
    var imgs = Array.prototype.slice.call(viewer.querySelectorAll(".page-img"));
    var pageNo = viewer.querySelector("[data-page-no]");
    var current = 1, zoom = 1, shown = null;
    var WIDTHS = [600, 900, 1200, 1600, 2000];

    function sharpen(img) {
      var want = wrap.clientWidth * (window.devicePixelRatio || 1);
      var w = WIDTHS.filter(function (x) { return x >= want; })[0] || WIDTHS[WIDTHS.length - 1];
      var src = img.getAttribute("src").replace(/([?&])w=\d+/, "$1w=" + w);
      var have = parseInt((/[?&]w=(\d+)/.exec(img.getAttribute("src")) || [0, 0])[1], 10);
      if (w > have) { img.setAttribute("src", src); }
    }
    function show(n) {
      if (n < 1 || n > imgs.length) { return; }
      if (n !== current) { frame.scrollTo(0, 0); }
      current = n;
      imgs.forEach(function (img) { img.hidden = parseInt(img.getAttribute("data-page"), 10) !== n; });
      if (pageNo) { pageNo.textContent = String(n); }
      sharpen(imgs[n - 1]);
      draw();
    }
    function draw() {
      /* the evidence of the focused field, only while its own page is on screen */
      layer.innerHTML = "";
      if (!shown || shown.page !== current) { return null; }
      var x0 = 1, y0 = 1, x1 = 0, y1 = 0;
      shown.boxes.forEach(function (b) { x0 = Math.min(x0, b[0]); y0 = Math.min(y0, b[1]); x1 = Math.max(x1, b[2]); y1 = Math.max(y1, b[3]); });
      var pad = 0.004, box = document.createElement("div");
      box.className = "evidence-box";
      box.style.left = ((x0 - pad) * 100) + "%";
      box.style.top = ((y0 - pad) * 100) + "%";
      box.style.width = ((x1 - x0 + 2 * pad) * 100) + "%";
      box.style.height = ((y1 - y0 + 2 * pad) * 100) + "%";
      layer.appendChild(box);
      return { x: x0, y: y0 };
    }
    function setZoom(z) {
      zoom = Math.max(0.5, Math.min(4, z));
      wrap.style.width = (zoom * 100) + "%";
      sharpen(imgs[current - 1]);
    }
    viewer.querySelector(".toolbar").addEventListener("click", function (e) {
      var btn = e.target.closest("button[data-act]");
      if (!btn) { return; }
      var act = btn.getAttribute("data-act");
      if (act === "prev") { show(current - 1); }
      if (act === "next") { show(current + 1); }
      if (act === "zoom-in") { setZoom(zoom * 1.25); }
      if (act === "zoom-out") { setZoom(zoom / 1.25); }
      if (act === "fit") { setZoom(1); frame.scrollTo(0, 0); }
    });
    frame.addEventListener("keydown", function (e) {
      if (e.key === "+" || e.key === "=") { setZoom(zoom * 1.25); e.preventDefault(); }
      if (e.key === "-") { setZoom(zoom / 1.25); e.preventDefault(); }
      if (e.key === "PageDown" && e.altKey) { show(current + 1); e.preventDefault(); }
      if (e.key === "PageUp" && e.altKey) { show(current - 1); e.preventDefault(); }
    });
    function highlight(ev) {
      shown = (ev && ev.boxes && ev.boxes.length) ? ev : null;
      if (shown && shown.page !== current) { show(shown.page); }
      var at = draw();
      if (!at) { return; }
      var top = (at.y * wrap.clientHeight) - frame.clientHeight / 3;
      var left = (at.x * wrap.clientWidth) - 20;
      frame.scrollTo({ top: Math.max(0, top), left: Math.max(0, left), behavior: "smooth" });
    }
    document.querySelectorAll(".field").forEach(function (field) {
      field.addEventListener("focusin", function () {
        document.querySelectorAll(".field.active").forEach(function (f) { f.classList.remove("active"); });
        field.classList.add("active");
        var raw = field.getAttribute("data-evidence");
        highlight(raw ? JSON.parse(raw) : null);
      });
    });
    window.addEventListener("resize", function () { sharpen(imgs[current - 1]); });
    show(1);
  }

  /* --- review: Enter confirms, also from the two-line boxes (Shift+Enter for a new line) --- */
  var form = document.getElementById("review-form");
  var confirmBtn = document.getElementById("confirm-btn");
  if (form && confirmBtn) {
    form.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && e.target.tagName === "TEXTAREA") {
        e.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(confirmBtn); } else { confirmBtn.click(); }
      }
    });
  }
})();
