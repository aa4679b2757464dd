/* Lesson player: honest watching (heartbeats with watched intervals, no seeking past the furthest point watched,
   pause when hidden, playback-rate cap, checkpoint questions) and the "read" button of documents and articles.
   The server decides what counts; this script only reports what really played. */
(function () {
  "use strict";

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    });
  }

  function say(id, text, cls) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; if (cls) { el.className = cls; } }
  }

  function initPlayer(root) {
    var video = document.getElementById("video");
    var api = root.dataset.api;
    var tracked = root.dataset.tracked === "1";
    var cap = parseFloat(root.dataset.rateCap) || 2;
    var beatMs = (parseFloat(root.dataset.heartbeat) || 12) * 1000;
    var duration = parseFloat(root.dataset.duration) || 0;
    var checkpoints = JSON.parse(document.getElementById("checkpoints-data").textContent || "[]");
    var state = { session: null, seq: 0, furthest: 0, completed: !tracked, pending: [], current: null,
                  lastTime: null, inFlight: false, stopped: false, openCheckpoint: null };

    function flushCurrent() {
      if (state.current && state.current[1] - state.current[0] > 0.05) { state.pending.push(state.current); }
      state.current = null;
    }

    video.addEventListener("timeupdate", function () {
      var t = video.currentTime;
      var step = state.lastTime === null ? -1 : t - state.lastTime;
      if (!video.paused && !video.seeking && step >= 0 && step <= 1.5 * cap) {
        if (!state.current) { state.current = [state.lastTime, t]; } else { state.current[1] = t; }
        state.furthest = Math.max(state.furthest, t);
      } else {
        flushCurrent();
      }
      state.lastTime = t;
      checkCheckpoint(t);
    });

    video.addEventListener("seeking", function () {
      flushCurrent();
      if (!state.completed && video.currentTime > state.furthest + 1) {
        video.currentTime = state.furthest;
        say("player-message", "未观看的部分不能快进：请从已看到的位置继续观看。", "notice");
      }
      state.lastTime = null;
    });

    video.addEventListener("ratechange", function () {
      if (video.playbackRate > cap) {
        video.playbackRate = cap;
        say("player-message", "播放倍速最高 " + cap + " 倍。", "notice");
      }
    });

    document.addEventListener("visibilitychange", function () {
      if (document.hidden && !video.paused) {
        video.pause();
        say("player-message", "页面切换到后台，已自动暂停。", "notice");
      }
    });

    video.addEventListener("pause", function () { flushCurrent(); beat(true); });
    video.addEventListener("ended", function () { flushCurrent(); beat(true); });
    video.addEventListener("play", function () {
      if (state.stopped) { video.pause(); }
      if (state.openCheckpoint) { video.pause(); }
    });

    function beat(keepalive) {
      if (!tracked || !state.session || state.inFlight || state.stopped) { return Promise.resolve(null); }
      var spans = state.pending.slice();
      if (state.current && state.current[1] - state.current[0] > 0.05) {
        spans.push(state.current.slice());
        state.current = [state.current[1], state.current[1]];
      }
      if (!spans.length) { return Promise.resolve(null); }
      state.pending = [];
      state.seq += 1;
      state.inFlight = true;
      var payload = { seq: state.seq, intervals: spans, position: video.currentTime, rate: video.playbackRate };
      return post(api + "sessions/" + state.session + "/heartbeats", payload, keepalive).then(function (res) {
        state.inFlight = false;
        var d = res.data || {};
        if (res.status === 200 || res.status === 409) { showProgress(d); }
        if (res.status === 409) {
          say("player-message", d.message || "本次观看记录未被接受。", "error");
          if (d.code === "superseded") { state.stopped = true; video.pause(); }
          else { resync(d); }
        } else if (res.status !== 200) {
          state.pending = spans.concat(state.pending);  // not stored: resend with the next beat
        }
        return res;
      }, function () {
        state.inFlight = false;
        state.pending = spans.concat(state.pending);  // offline: keep the intervals for the next beat
        return null;
      });
    }

    // A refused beat credits nothing, so the server's furthest point is now behind ours. Continuing from ours would
    // make every later beat start beyond what the server accepts ("future") and the lesson could never complete:
    // go back to the server's furthest point instead, so the refused part is watched again.
    function resync(d) {
      if (state.completed || typeof d.furthest !== "number") { return; }
      state.furthest = d.furthest;
      state.current = null;
      state.lastTime = null;
      if (video.currentTime > d.furthest + 1) { video.currentTime = d.furthest; }
    }

    function showProgress(d) {
      if (typeof d.furthest === "number") { state.furthest = Math.max(state.furthest, d.furthest); }
      if (duration > 0 && typeof d.unique_seconds === "number") {
        say("watched-share", String(Math.min(100, Math.floor(d.unique_seconds / duration * 100))));
      }
      if (d.completed && !state.completed) {
        state.completed = true;
        say("lesson-status", "本课时已完成，学时已记入学习档案。", "ok");
      }
    }

    function checkCheckpoint(t) {
      if (state.openCheckpoint) { return; }
      for (var i = 0; i < checkpoints.length; i++) {
        var cp = checkpoints[i];
        if (!cp.answered && t >= cp.at) { askCheckpoint(cp); return; }
      }
    }

    function askCheckpoint(cp) {
      state.openCheckpoint = cp;
      video.pause();
      var dialog = document.getElementById("checkpoint");
      say("checkpoint-prompt", cp.prompt);
      say("checkpoint-feedback", "");
      var box = document.getElementById("checkpoint-options");
      box.textContent = "";
      cp.options.forEach(function (o) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = "radio"; input.name = "checkpoint-option"; input.value = o.label;
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + o.label + ". " + o.text));
        box.appendChild(label);
      });
      if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    }

    document.getElementById("checkpoint-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var cp = state.openCheckpoint;
      var chosen = document.querySelector("input[name=checkpoint-option]:checked");
      if (!cp || !chosen) { say("checkpoint-feedback", "请选择一个答案。", "notice"); return; }
      if (!tracked) { closeCheckpoint(cp); return; }
      beat(false).then(function () {
        return post(api + "checkpoints/" + cp.id + "/answer", { response: chosen.value });
      }).then(function (res) {
        var d = res.data || {};
        say("checkpoint-feedback", d.message || "", d.correct ? "ok" : "error");
        if (d.correct) {
          if (d.completed) { showProgress({ completed: true }); }
          setTimeout(function () { closeCheckpoint(cp); }, 600);
        }
      });
    });

    function closeCheckpoint(cp) {
      cp.answered = true;
      state.openCheckpoint = null;
      var dialog = document.getElementById("checkpoint");
      if (dialog.close) { dialog.close(); } else { dialog.removeAttribute("open"); }
      video.play();
    }

    if (!tracked) { return; }
    post(api + "lessons/" + root.dataset.lesson + "/sessions").then(function (res) {
      if (res.status !== 200) { say("player-message", "无法开始记录观看进度，请刷新页面重试。", "error"); return; }
      var d = res.data;
      state.session = d.session;
      state.furthest = d.furthest || 0;
      state.completed = !!d.completed;
      var resume = function () {
        if (d.last_position > 1 && d.last_position < duration - 2) { video.currentTime = d.last_position; }
      };
      if (video.readyState >= 1) { resume(); } else { video.addEventListener("loadedmetadata", resume, { once: true }); }
      root.dataset.session = String(d.session);
    });
    setInterval(function () { beat(false); }, beatMs);  // sends only when something new was watched
    window.addEventListener("pagehide", function () { flushCurrent(); beat(true); });
  }

  function initReader(root) {
    var api = root.dataset.api;
    var session = null;
    post(api + "lessons/" + root.dataset.lesson + "/sessions").then(function (res) {
      if (res.status === 200) { session = res.data.session; }
    });
    document.getElementById("mark-read").addEventListener("click", function () {
      if (!session) { return; }
      post(api + "sessions/" + session + "/read").then(function (res) {
        if (res.status === 200) {
          say("lesson-status", "本课时已完成，学时已记入学习档案。", "ok");
          root.remove();
        } else {
          say("lesson-status", (res.data && res.data.message) || "暂时无法标记完成，请稍后再试。", "error");
        }
      });
    });
  }

  var player = document.getElementById("player");
  if (player) { initPlayer(player); }
  var reader = document.getElementById("reader");
  if (reader) { initReader(reader); }
})();
