// The player's own part of the page: its state, its bar of controls, its status line, its messages (data-msg-* in
// Vietnamese), the speed <select> (whose options are the one list of speeds, from the template), and its place in
// the system's media controls.
import { rateOf } from "./choices.js";
import { fill } from "./text.js";

// root: the player; listenButton: "Đọc bài", pressed while listening.
export function createBar(root, listenButton) {
  const bar = root.querySelector(".player-bar");
  const speed = root.querySelector('[data-action="speed"]');
  const status = root.querySelector("[data-status]");
  const statusSentence = root.querySelector("[data-status-sentence]");
  const problem = root.querySelector("[data-problem]");
  const deviceOffer = root.querySelector("[data-device-voice-offer]");
  const noDeviceVoice = root.querySelector("[data-no-device-voice]");

  return {
    element: bar,
    speed,
    speeds() {
      return Array.prototype.map.call(speed.options, (option) => option.value);
    },
    rate() {
      return rateOf(speed.value);
    },
    message(name, values) {
      return fill(root.dataset["msg" + name], values);
    },
    showPhase(phase) {
      root.setAttribute("data-state", phase);
      const listening = phase !== "idle";
      bar.hidden = !listening;
      listenButton.setAttribute("aria-pressed", String(listening));
      document.body.classList.toggle("has-player", listening);
      if ("mediaSession" in navigator) {
        navigator.mediaSession.playbackState = phase === "playing" ? "playing" : "paused";
      }
    },
    // The live region says what changes for the listener (a new paragraph, a pause, the end); the sentence counter
    // beside it is only shown, so that a screen reader is not made to announce every sentence over the reading.
    setStatus(text, sentence) {
      if (status.textContent !== text) status.textContent = text;
      statusSentence.textContent = sentence || "";
    },
    showProblem(shown) {
      problem.hidden = !shown;
    },
    offerDeviceVoice(voice) {
      deviceOffer.hidden = !voice;
      noDeviceVoice.hidden = !!voice;
    },
  };
}

// The article in the system's media controls (lock screen, headset buttons), with the player's actions.
export function claimMediaSession(root, player) {
  if (!("mediaSession" in navigator) || typeof window.MediaMetadata !== "function") return;
  navigator.mediaSession.metadata = new window.MediaMetadata({
    title: root.dataset.title,
    artist: root.dataset.site,
    album: "Đọc bài",
  });
  const handlers = {
    play: () => player.play(),
    pause: () => player.pause(),
    stop: () => player.stop(),
    previoustrack: () => player.skip(-1),
    nexttrack: () => player.skip(1),
    seekbackward: () => player.seekBy(-10),
    seekforward: () => player.seekBy(10),
  };
  Object.keys(handlers).forEach((action) => {
    try {
      navigator.mediaSession.setActionHandler(action, handlers[action]);
    } catch (error) {
      // An action this browser does not know: the others still work.
    }
  });
}
