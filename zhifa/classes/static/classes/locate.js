// Geofenced check-in: ask the phone for its position, then post it with the token (the page's own URL).
(function () {
  var form = document.getElementById("locate-form");
  var status = document.getElementById("locate-status");
  if (!form) return;
  function fill(pos) {
    form.lat.value = pos.coords.latitude;
    form.lng.value = pos.coords.longitude;
    form.accuracy.value = pos.coords.accuracy || 0;
    status.textContent = "已获取位置，正在签到……";
    form.submit();
  }
  function fail() {
    status.textContent = "无法获取位置：请在浏览器中允许定位后点“签到”，或请主办单位人工点名。";
  }
  if (!navigator.geolocation) { fail(); return; }
  navigator.geolocation.getCurrentPosition(fill, fail, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
})();
