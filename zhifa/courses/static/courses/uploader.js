/* Resumable chunked video upload: start a session, PUT chunks at their offset, resume from the server's count after
   a dropped connection (automatic retries, or choose the same file again later), then finish and watch "转码中". */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var CHUNK = parseInt(form.dataset.chunk, 10) || 4 * 1024 * 1024;
  var api = form.dataset.api;
  var input = document.getElementById("video-file");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function request(method, url, body, json) {
    var headers = { "X-CSRFToken": csrfToken() };
    if (json) { headers["Content-Type"] = "application/json"; body = JSON.stringify(body); }
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, data: d }; });
    });
  }
  function say(text, cls) { status.textContent = text; status.className = cls || ""; }
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  function key(file) { return "zhifa-upload:" + file.name + ":" + file.size + ":" + file.lastModified; }

  function startOrResume(file) {
    var known = localStorage.getItem(key(file));
    var resume = known ? request("GET", api + "uploads/" + known) : Promise.resolve({ status: 404 });
    return resume.then(function (res) {
      if (res.status === 200 && res.data.status === "open") { return res.data; }
      return request("POST", api + "uploads", { filename: file.name, size: file.size }, true).then(function (r) {
        if (r.status !== 200) { throw new Error(r.data.message || "无法开始上传。"); }
        localStorage.setItem(key(file), r.data.id);
        return r.data;
      });
    });
  }

  function sendFrom(file, upload, failures) {
    if (upload.received >= file.size) { return Promise.resolve(upload); }
    var end = Math.min(file.size, upload.received + CHUNK);
    bar.max = file.size; bar.value = upload.received;
    say("正在上传 " + Math.floor(upload.received / file.size * 100) + "%");
    return request("PUT", api + "uploads/" + upload.id + "?offset=" + upload.received, file.slice(upload.received, end))
      .then(function (res) {
        if (res.status === 200 || res.status === 409) { return sendFrom(file, res.data, 0); }  // 409: resume at server count
        throw new Error(res.data.message || "上传失败。");
      }, function () {
        if (failures >= 20) { throw new Error("网络中断，上传已暂停：重新选择同一文件即可从断点继续。"); }
        say("网络中断，正在重试（从已上传的位置继续）…", "notice");
        return sleep(Math.min(10000, 500 * (failures + 1))).then(function () {
          return request("GET", api + "uploads/" + upload.id).then(function (r) {
            return sendFrom(file, r.status === 200 ? r.data : upload, failures + 1);
          }, function () { return sendFrom(file, upload, failures + 1); });
        });
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = input.files[0];
    if (!file) { say("请选择视频文件。", "error"); return; }
    startOrResume(file).then(function (upload) { return sendFrom(file, upload, 0); }).then(function (upload) {
      bar.value = file.size;
      say("上传完成，正在检查视频…");
      return request("POST", api + "uploads/" + upload.id + "/finish");
    }).then(function (res) {
      localStorage.removeItem(key(file));
      if (res.status !== 200) { throw new Error(res.data.message || "视频无法使用。"); }
      say("上传成功：" + res.data.status_label + "（编号 " + res.data.id + "）", "ok");
      var holder = document.getElementById("upload-result");
      holder.setAttribute("hx-get", form.dataset.statusUrl.replace("/0/", "/" + res.data.id + "/"));
      holder.setAttribute("hx-trigger", "load");
      if (window.htmx) { window.htmx.process(holder); }
      holder.dataset.video = String(res.data.id);
    }).catch(function (error) {
      say(error.message, "error");
    });
  });
})();
