/* Reading a health ID from the QR code of a vaccination card, on the patient search. A progressive
   enhancement: it shows its button only where the browser can both film (getUserMedia) and read QR
   codes (BarcodeDetector); elsewhere the page is unchanged and the health ID is typed. Its texts are
   the page's own (the data attributes of #scan), in the page's language. Nothing is sent anywhere: the
   code read fills the field, and the clinician searches as usual. */
(function () {
  'use strict';
  var box = document.getElementById('scan');
  var field = document.getElementById('health_id');
  if (!box || !field || !('BarcodeDetector' in window) ||
      !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) {
    return;
  }
  var button = box.querySelector('button');
  var video = box.querySelector('video');
  var status = box.querySelector('.scan-status');
  /* What the card's QR code holds: the health ID in its canonical form, CM and ten digits. */
  var healthId = /^CM[0-9]{10}$/;
  var stream = null;
  var detector = null;

  function say(text) {
    status.textContent = text;
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.hidden = true;
    button.textContent = box.dataset.start;
  }

  /* A few looks a second are enough, and spare a phone's battery. */
  function look() {
    if (!stream) {
      return;
    }
    detector.detect(video).then(function (codes) {
      for (var i = 0; i < codes.length; i++) {
        var text = String(codes[i].rawValue || '').replace(/[\s-]/g, '').toUpperCase();
        if (healthId.test(text)) {
          field.value = text;
          stop();
          say(box.dataset.found);
          field.focus();
          return;
        }
      }
      window.setTimeout(look, 250);
    }, function () {
      window.setTimeout(look, 500);
    });
  }

  function start() {
    try {
      detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    } catch (error) {
      say(box.dataset.failed);
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(function (camera) {
      stream = camera;
      video.srcObject = camera;
      video.hidden = false;
      button.textContent = box.dataset.stop;
      say(box.dataset.aim);
      /* Looking starts at once: a frame not yet there is looked at again a moment later. */
      var playing = video.play();
      if (playing && playing.catch) {
        playing.catch(function () {});
      }
      look();
    }, function () {
      say(box.dataset.failed);
    });
  }

  button.addEventListener('click', function () {
    if (stream) {
      stop();
      say('');
    } else {
      start();
    }
  });
  box.hidden = false;
})();
