// The reference back office page: lists the events CareLine delivered and sends a status back.
// Every text from the server is shown with textContent, never as HTML.
(function () {
  'use strict';
  var list = document.getElementById('events');
  var empty = document.getElementById('empty');
  var template = document.getElementById('event-template');
  var shown = {};

  function render(events) {
    empty.hidden = events.length > 0;
    // Oldest first into the top, so the newest ends up first.
    events.slice().reverse().forEach(function (e) {
      if (shown[e.id]) { return; }
      shown[e.id] = true;
      var node = template.content.firstElementChild.cloneNode(true);
      node.querySelector('.type').textContent = e.type || '';
      node.querySelector('.case').textContent = e.caseId || '';
      node.querySelector('.time').textContent = e.receivedAt || '';
      node.querySelector('.summary').textContent = e.summary || '';
      node.querySelector('.data').textContent = JSON.stringify(e.data, null, 2);
      var form = node.querySelector('.status-form');
      if (!e.caseId) {
        form.remove();
      } else {
        form.addEventListener('submit', function (ev) {
          ev.preventDefault();
          send(e.caseId, form);
        });
      }
      list.insertBefore(node, list.firstChild);
    });
  }

  function send(caseId, form) {
    var result = form.querySelector('.result');
    result.className = 'result muted';
    result.textContent = '发送中…';
    fetch('api/cases/' + encodeURIComponent(caseId) + '/status', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox': '1' },
      body: JSON.stringify({ status: form.elements.status.value, message: form.elements.message.value })
    }).then(function (r) { return r.json(); }).then(function (out) {
      var ok = out.httpStatus === 200;
      result.className = 'result ' + (ok ? 'ok' : 'bad');
      var notice = out.answer && out.answer.notice;
      result.textContent = 'HTTP ' + out.httpStatus + (ok && notice
        ? '：已更新，通知 ' + notice.channel + ' ' + notice.outcome
        : '：' + ((out.answer && out.answer.error) || out.error || ''));
    }).catch(function (err) {
      result.className = 'result bad';
      result.textContent = '发送失败：' + err;
    });
  }

  function load() {
    fetch('api/events').then(function (r) { return r.json(); })
      .then(function (out) { render(out.events || []); })
      .catch(function () { /* the next poll tries again */ });
  }

  function roster() {
    fetch('api/roster').then(function (r) { return r.json(); }).then(function (s) {
      document.getElementById('roster').textContent = s.version
        ? '花名册版本 ' + s.version + '：' + s.towns + ' 个街道、' + s.communities + ' 个社区、' + s.people + ' 位工作人员、' + s.children + ' 名儿童'
        : '还没有导入花名册。';
    }).catch(function () {});
  }

  document.getElementById('refresh').addEventListener('click', load);
  load();
  roster();
  setInterval(load, 3000);
}());
