// SPDX-License-Identifier: ISC
// dutynet's web inbox: progressive enhancement only - every page works
// without this file.  While a page is open, it listens to /events (Server-
// Sent Events) and shows each new immediate or urgent referral or concern in
// the page's live region (read out by screen readers), and as a browser
// notification if the person allowed them (asked only when they press the
// button, never on page load).  No inline script: the Content-Security-Policy
// allows only this file.
(function () {
	'use strict';
	var live = document.getElementById('live-region');
	if (!live || !window.EventSource) {
		return;
	}

	function offerNotifications() {
		if (!('Notification' in window) || Notification.permission !== 'default') {
			return;
		}
		var button = document.createElement('button');
		button.type = 'button';
		button.id = 'notify-button';
		button.className = 'govuk-button govuk-button--secondary dn-notify';
		button.textContent = 'Notify me of urgent referrals';
		button.addEventListener('click', function () {
			Notification.requestPermission().then(function () {
				button.remove();
			});
		});
		// Under the inbox's heading only, small: it is an offer, not the
		// page's purpose, and must not push every page's heading down.
		var table = document.getElementById('inbox-table') ||
			document.getElementById('inbox-empty');
		var heading = table && table.parentNode.querySelector('h1');
		if (heading) {
			heading.parentNode.insertBefore(button, heading.nextSibling);
		}
	}

	function show(msg) {
		var p = document.createElement('p');
		var a = document.createElement('a');
		var what = (msg.urgency || 'urgent') + ' ' + (msg.type || 'referral');
		var from = msg.from_name || msg.from;
		p.className = 'dn-live-item govuk-notification-banner__heading';
		p.appendChild(document.createTextNode('New ' + what + ' from ' + from +
			(msg.case ? ', case ' + msg.case : '') + '. '));
		a.href = '/message/' + encodeURIComponent(msg.id);
		a.className = 'govuk-link';
		a.textContent = 'Open it';
		p.appendChild(a);
		live.appendChild(p);
		if ('Notification' in window && Notification.permission === 'granted') {
			var n = new Notification('dutynet: new ' + what, {
				body: 'From ' + from + (msg.case ? ', case ' + msg.case : ''),
				tag: msg.id
			});
			n.onclick = function () {
				window.focus();
				window.location.href = a.href;
			};
		}
	}

	var source = new EventSource('/events');
	source.addEventListener('urgent', function (e) {
		try {
			show(JSON.parse(e.data));
		} catch (err) {
			// not ours: ignore
		}
	});
	offerNotifications();
}());
