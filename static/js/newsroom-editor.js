// The newsroom's body editor: Squire (static/vendor/squire) over the form's textarea, which stays the source of
// truth on submit, so the form works the same with JavaScript off (the textarea of sanitized HTML).
//
// - A toolbar of real buttons (paragraph, headings, bold, italic, link, lists, quote, picture, undo): each is in
//   the tab order, says its shortcut in its label, and shows its state with aria-pressed.
// - Pasting HTML (Word, LibreOffice, a web page) sends it to the server's own sanitizer (data-clean) and inserts
//   what comes back: the editor shows exactly what will be saved, cleaned by the one cleaner the importer uses.
// - Pictures: chosen, dropped or pasted, uploaded to data-upload (the server decodes, strips metadata and stores
//   them) and inserted as <figure> with an empty caption; the panel under the editor asks for each image's alt
//   text and caption, and marks those still without alt text.
(function () {
  "use strict";

  var root = document.querySelector('[data-module="rich-editor"]');
  if (!root || typeof window.Squire !== "function") return;
  var form = root.closest("form");
  var source = form.querySelector("textarea.body-source");
  var dataset = root.dataset;
  var BLOCKS = { P: true, DIV: true, H2: true, H3: true, H4: true };
  var ALLOWED = {
    P: [], BR: [], H2: [], H3: [], H4: [], STRONG: [], EM: [], B: [], I: [], U: [], SUB: [], SUP: [],
    BLOCKQUOTE: [], UL: [], OL: [], LI: [], A: ["href", "title"], FIGURE: [], FIGCAPTION: [],
    IMG: ["src", "alt", "width", "height"], TABLE: [], THEAD: [], TBODY: [], TR: [], TH: ["colspan", "rowspan", "scope"],
    TD: ["colspan", "rowspan"], CAPTION: [], DIV: [], HR: []
  };
  var DROPPED_WITH_CONTENT = { SCRIPT: true, STYLE: true, TEMPLATE: true, IFRAME: true, OBJECT: true, SVG: true, MATH: true };

  function message(name, values) {
    var text = dataset["msg" + name] || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }

  // What Squire is given to insert is parsed inert (a <template> runs nothing, loads nothing) and kept only as
  // far as the server's sanitizer would keep it. The server sanitizes every save anyway; this keeps the editing
  // area itself free of script and of markup the page would not show.
  function sanitizeToFragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fragment = document.createDocumentFragment();
    copyAllowed(template.content, fragment);
    return fragment;
  }

  function copyAllowed(from, to) {
    Array.prototype.forEach.call(from.childNodes, function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        to.appendChild(document.createTextNode(node.nodeValue));
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        var tag = node.tagName.toUpperCase();
        if (DROPPED_WITH_CONTENT[tag]) return;
        if (!ALLOWED[tag]) {
          copyAllowed(node, to);
          return;
        }
        var copy = document.createElement(tag);
        ALLOWED[tag].forEach(function (name) {
          var value = node.getAttribute(name);
          if (value === null) return;
          if (name === "href" && !/^(https?:|mailto:|tel:|\/|#)/i.test(value.trim())) return;
          if (name === "src" && value.indexOf("/media/") !== 0) return;
          copy.setAttribute(name, value);
        });
        copyAllowed(node, copy);
        to.appendChild(copy);
      }
    });
  }

  // The editing area, labelled by the form's own label and hint.
  var toolbar = document.createElement("div");
  toolbar.className = "editor-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Định dạng nội dung");
  toolbar.setAttribute("aria-controls", "vung-soan-thao");
  var area = document.createElement("div");
  area.className = "editor-area";
  area.id = "vung-soan-thao";
  area.setAttribute("role", "textbox");
  area.setAttribute("aria-multiline", "true");
  area.setAttribute("aria-labelledby", "nhan-noi-dung");
  area.setAttribute("aria-describedby", "goi-y-noi-dung");
  area.setAttribute("lang", "vi");
  var panel = document.createElement("section");
  panel.className = "image-panel";
  panel.setAttribute("aria-label", "Ảnh trong bài: mô tả và chú thích");
  panel.hidden = true;
  var status = document.createElement("p");
  status.className = "editor-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  var picker = document.createElement("input");
  picker.type = "file";
  picker.accept = "image/jpeg,image/png,image/webp,image/gif";
  picker.multiple = true;
  picker.hidden = true;
  picker.setAttribute("aria-hidden", "true");
  picker.tabIndex = -1;
  root.appendChild(toolbar);
  root.appendChild(area);
  root.appendChild(panel);
  root.appendChild(status);
  root.appendChild(picker);

  var editor = new window.Squire(area, { blockTag: "P", sanitizeToDOMFragment: sanitizeToFragment });
  editor.setHTML(source.value);

  function say(text) {
    status.textContent = text;
  }

  // Headings and paragraphs: each selected block becomes the chosen tag.
  function setBlock(tag) {
    editor.modifyBlocks(function (fragment) {
      var out = document.createDocumentFragment();
      Array.prototype.slice.call(fragment.childNodes).forEach(function (node) {
        if (node.nodeType === Node.ELEMENT_NODE && BLOCKS[node.tagName]) {
          var block = document.createElement(tag);
          while (node.firstChild) block.appendChild(node.firstChild);
          out.appendChild(block);
        } else {
          out.appendChild(node);
        }
      });
      return out;
    });
    editor.focus();
  }

  function toggle(tag, on, off) {
    return function () {
      if (editor.hasFormat(tag)) editor[off](); else editor[on]();
      editor.focus();
    };
  }

  function link() {
    if (editor.hasFormat("A")) {
      editor.removeLink();
    } else {
      var address = window.prompt(message("Link"), "https://");
      if (!address) return;
      address = address.trim();
      if (!/^(https?:\/\/|mailto:|tel:|\/)/i.test(address)) address = "https://" + address;
      editor.makeLink(address);
    }
    editor.focus();
  }

  function list(kind) {
    return function () {
      var path = editor.getPath();
      var inside = kind === "UL" ? /(^|>)UL(>|$)/.test(path) : /(^|>)OL(>|$)/.test(path);
      if (inside) editor.removeList(); else if (kind === "UL") editor.makeUnorderedList(); else editor.makeOrderedList();
      editor.focus();
    };
  }

  function quote() {
    if (/(^|>)BLOCKQUOTE(>|$)/.test(editor.getPath())) editor.decreaseQuoteLevel(); else editor.increaseQuoteLevel();
    editor.focus();
  }

  var buttons = [
    { label: "Đoạn văn", title: "Đoạn văn thường", run: function () { setBlock("P"); }, state: "P" },
    { label: "Tiêu đề mục", title: "Tiêu đề mục (cấp 2)", run: function () { setBlock("H2"); }, state: "H2" },
    { label: "Tiêu đề nhỏ", title: "Tiêu đề nhỏ (cấp 3)", run: function () { setBlock("H3"); }, state: "H3" },
    { label: "Đậm", title: "Chữ đậm (Ctrl+B)", run: toggle("B", "bold", "removeBold"), state: "B", shortcut: "Control+B" },
    { label: "Nghiêng", title: "Chữ nghiêng (Ctrl+I)", run: toggle("I", "italic", "removeItalic"), state: "I", shortcut: "Control+I" },
    { label: "Liên kết", title: "Thêm hoặc bỏ liên kết (Ctrl+K)", run: link, state: "A", shortcut: "Control+K" },
    { label: "• Danh sách", title: "Danh sách gạch đầu dòng", run: list("UL"), state: "UL" },
    { label: "1. Danh sách", title: "Danh sách đánh số", run: list("OL"), state: "OL" },
    { label: "Trích dẫn", title: "Trích dẫn", run: quote, state: "BLOCKQUOTE" },
    { label: "Thêm ảnh", title: "Thêm ảnh (hoặc kéo thả, dán ảnh vào bài)", run: function () { picker.click(); } },
    { label: "Hoàn tác", title: "Hoàn tác (Ctrl+Z)", run: function () { editor.undo(); editor.focus(); }, shortcut: "Control+Z" },
    { label: "Làm lại", title: "Làm lại (Ctrl+Y)", run: function () { editor.redo(); editor.focus(); }, shortcut: "Control+Y" }
  ];
  buttons.forEach(function (spec) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = spec.label;
    button.title = spec.title;
    if (spec.shortcut) button.setAttribute("aria-keyshortcuts", spec.shortcut);
    if (spec.state) {
      button.setAttribute("aria-pressed", "false");
      button.dataset.state = spec.state;
    }
    // The editing area keeps its selection: a button that took focus would lose where the caret was.
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", spec.run);
    toolbar.appendChild(button);
  });
  editor.setKeyHandler("Ctrl-k", function (self, event) { event.preventDefault(); link(); });

  editor.addEventListener("pathChange", function (event) {
    var path = (event.detail && event.detail.path) || "";
    toolbar.querySelectorAll("[data-state]").forEach(function (button) {
      var pattern = new RegExp("(^|>)" + button.dataset.state + "([.#\\[>]|$)");
      button.setAttribute("aria-pressed", String(pattern.test(path)));
    });
  });

  // HTML from the clipboard goes through the server's sanitizer first. Caught on the way down (capture), before
  // Squire's own paste handler; plain text and pictures are left to Squire.
  root.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    var html = data && data.getData("text/html");
    if (!html) return;
    event.preventDefault();
    event.stopPropagation();
    var range = editor.getSelection();
    var plain = data.getData("text/plain");
    var body = new FormData();
    body.append("html", html);
    post(dataset.clean, body).then(function (answer) {
      editor.setSelection(range);
      editor.insertHTML(answer.html, true);
      say(message("Pasted"));
      changed();
    }, function () {
      editor.setSelection(range);
      editor.insertPlainText(plain, true);
    });
  }, true);

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": dataset.csrf, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) throw new Error(answer.error || String(response.status));
        return answer;
      });
    });
  }

  // One picture at a time, each inserted where the caret is when its turn comes (after the one before it).
  var uploads = Promise.resolve();
  function upload(files) {
    Array.prototype.forEach.call(files, function (file) {
      if (!/^image\//.test(file.type)) return;
      uploads = uploads.then(function () { return uploadOne(file); });
    });
  }

  function uploadOne(file) {
    var name = file.name || "ảnh dán";
    var max = Number(dataset.maxBytes);
    if (max && file.size > max) {
      say(message("TooLarge", { name: name, max: (max / 1048576).toLocaleString("vi-VN", { maximumFractionDigits: 1 }) }));
      return null;
    }
    say(message("Uploading", { name: name }));
    var body = new FormData();
    body.append("anh", file, name);
    var range = editor.getSelection();
    return post(dataset.upload, body).then(function (image) {
      if (area.contains(range.startContainer)) editor.setSelection(range);
      var figure = document.createElement("figure");
      var img = document.createElement("img");
      img.setAttribute("src", image.src);
      img.setAttribute("alt", "");
      img.setAttribute("width", image.width);
      img.setAttribute("height", image.height);
      figure.appendChild(img);
      figure.appendChild(document.createElement("figcaption"));
      // As a block of its own after the caret's paragraph (insertHTML would pour it into that paragraph).
      editor.saveUndoState();
      editor.insertElement(figure);
      say(message("Uploaded", { name: name }));
      changed();
    }, function (error) {
      say(message("UploadFailed", { name: name, reason: error.message }));
    });
  }

  picker.addEventListener("change", function () {
    upload(picker.files);
    picker.value = "";
  });
  editor.addEventListener("pasteImage", function (event) {
    var items = event.detail.clipboardData.items;
    upload(Array.prototype.filter.call(items, function (item) {
      return /^image\//.test(item.type);
    }).map(function (item) { return item.getAsFile(); }).filter(Boolean));
  });
  area.addEventListener("dragover", function (event) {
    if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
      event.preventDefault();
      area.classList.add("dragging");
    }
  });
  area.addEventListener("dragleave", function () { area.classList.remove("dragging"); });
  area.addEventListener("drop", function (event) {
    area.classList.remove("dragging");
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    event.stopPropagation();
    upload(event.dataTransfer.files);
  }, true);

  // The pictures of the body, each with its alt text and caption, edited here and written into the body.
  function renderPanel() {
    var images = Array.prototype.slice.call(area.querySelectorAll("img"));
    panel.hidden = images.length === 0;
    var focused = document.activeElement && panel.contains(document.activeElement) ? document.activeElement : null;
    if (focused) return; // typing in the panel: it is already current
    panel.textContent = "";
    if (!images.length) return;
    var heading = document.createElement("h3");
    heading.textContent = "Ảnh trong bài (mô tả ảnh bắt buộc trước khi đăng)";
    panel.appendChild(heading);
    var items = document.createElement("ol");
    images.forEach(function (image, index) {
      var number = index + 1;
      var item = document.createElement("li");
      item.dataset.src = image.getAttribute("src");
      if (!image.getAttribute("alt")) item.className = "missing";
      var thumbnail = document.createElement("img");
      thumbnail.src = image.getAttribute("src");
      thumbnail.alt = "";
      var fields = document.createElement("div");
      fields.appendChild(input(number, "Mô tả ảnh " + number + " (alt)", image.getAttribute("alt") || "", "alt", function (value) {
        image.setAttribute("alt", value);
        item.className = value.trim() ? "" : "missing";
      }));
      var figure = image.closest("figure");
      var caption = figure && figure.querySelector("figcaption");
      fields.appendChild(input(number, "Chú thích ảnh " + number, caption ? caption.textContent : "", "caption", function (value) {
        if (!figure) {
          figure = document.createElement("figure");
          image.parentNode.insertBefore(figure, image);
          figure.appendChild(image);
        }
        if (!caption) {
          caption = document.createElement("figcaption");
          figure.appendChild(caption);
        }
        caption.textContent = value;
      }));
      item.appendChild(thumbnail);
      item.appendChild(fields);
      items.appendChild(item);
    });
    panel.appendChild(items);
  }

  function input(number, label, value, kind, write) {
    var wrapper = document.createElement("div");
    wrapper.className = "field";
    var id = "anh-" + number + "-" + kind;
    var labelElement = document.createElement("label");
    labelElement.htmlFor = id;
    labelElement.textContent = label;
    var field = document.createElement("input");
    field.id = id;
    field.value = value;
    field.dataset[kind] = "";
    field.addEventListener("input", function () {
      write(field.value);
      dirty = true;
    });
    wrapper.appendChild(labelElement);
    wrapper.appendChild(field);
    return wrapper;
  }

  var dirty = false;
  var panelTimer = null;
  var backupTimer = null;
  var lastKeptAlive = Date.now();
  function changed() {
    dirty = true;
    clearTimeout(panelTimer);
    panelTimer = setTimeout(renderPanel, 300);
    clearTimeout(backupTimer);
    backupTimer = setTimeout(backUp, 1000);
    keepAlive();
  }
  editor.addEventListener("input", changed);
  editor.addEventListener("blur", function () { if (dirty) backUp(); });
  window.addEventListener("pagehide", function () { if (dirty) backUp(); });
  renderPanel();

  // Writing is not idling: while the body changes, the session is renewed now and then (a third of the idle
  // timeout), so an article written for an hour is still saved.
  function keepAlive() {
    var every = Number(dataset.keepAliveSeconds || 600) * 1000;
    if (Date.now() - lastKeptAlive < every) return;
    lastKeptAlive = Date.now();
    fetch(dataset.keepAlive, { credentials: "same-origin" }).catch(function () {});
  }

  // A copy of the unsaved text in this browser (a closed tab, a lost connection, an expired session): offered
  // back when this article is opened again at the same version.
  function backUp() {
    try {
      localStorage.setItem(dataset.backupKey, JSON.stringify({ at: Date.now(), body: editor.getHTML() }));
    } catch (error) { /* private mode or full storage: nothing kept */ }
  }

  function offerBackup() {
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(dataset.backupKey) || "null"); } catch (error) { kept = null; }
    if (!kept || !kept.body || kept.body === editor.getHTML()) return;
    var notice = document.createElement("div");
    notice.className = "notice notice-warning";
    var text = document.createElement("p");
    text.textContent = message("Restore", { time: new Date(kept.at).toLocaleString("vi-VN") });
    var restore = document.createElement("button");
    restore.type = "button";
    restore.textContent = "Khôi phục bản chưa lưu";
    var drop = document.createElement("button");
    drop.type = "button";
    drop.textContent = "Bỏ bản đó";
    restore.addEventListener("click", function () {
      editor.setHTML(kept.body);
      notice.remove();
      say(message("Restored"));
      changed();
    });
    drop.addEventListener("click", function () {
      localStorage.removeItem(dataset.backupKey);
      notice.remove();
      editor.focus();
    });
    notice.appendChild(text);
    notice.appendChild(restore);
    notice.appendChild(document.createTextNode(" "));
    notice.appendChild(drop);
    root.parentNode.insertBefore(notice, root);
  }
  // The copy goes once the server says it saved (its "Đã lưu" notice on the page after the save), not at the
  // submit: a save that does not arrive (an expired session, no network) leaves it to be offered again.
  var SAVING = "docbai.dang-luu";
  try {
    var saving = sessionStorage.getItem(SAVING);
    if (saving && document.querySelector(".notices .notice-info")) localStorage.removeItem(saving);
    sessionStorage.removeItem(SAVING);
  } catch (error) { /* no storage */ }
  offerBackup();

  form.addEventListener("submit", function () {
    source.value = editor.getHTML();
    dirty = false;
    clearTimeout(backupTimer);
    backUp();
    try { sessionStorage.setItem(SAVING, dataset.backupKey); } catch (error) { /* no storage */ }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = message("Unsaved");
  });

  // The rich editor replaces the textarea and the no-JavaScript picture fields.
  source.hidden = true;
  var noScriptImage = form.querySelector("[data-no-js-image]");
  if (noScriptImage) noScriptImage.hidden = true;
  root.hidden = false;
  var label = document.getElementById("nhan-noi-dung");
  if (label) {
    label.removeAttribute("for");
    label.addEventListener("click", function () { editor.focus(); });
  }
})();
