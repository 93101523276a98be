import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_SETTINGS, FAIL_CLOSED, FAIL_OPEN, gatewayOriginPattern, isActiveFor, normalizeGatewayUrl, normalizeSettings,
  setSiteEnabled, siteKey,
} from '../src/lib/settings.js';

describe('settings', () => {
  it('defaults to protection on and fail closed', () => {
    for (const raw of [undefined, null, {}, 'junk', 42]) {
      const s = normalizeSettings(raw);
      assert.equal(s.enabled, true);
      assert.equal(s.failMode, FAIL_CLOSED);
      assert.equal(s.gatewayUrl, DEFAULT_SETTINGS.gatewayUrl);
      assert.deepEqual(s.disabledSites, []);
    }
  });

  it('opens only on an explicit "open" and switches off only on an explicit false', () => {
    assert.equal(normalizeSettings({ failMode: 'open' }).failMode, FAIL_OPEN);
    assert.equal(normalizeSettings({ failMode: 'OPEN' }).failMode, FAIL_CLOSED);
    assert.equal(normalizeSettings({ failMode: true }).failMode, FAIL_CLOSED);
    assert.equal(normalizeSettings({ enabled: false }).enabled, false);
    assert.equal(normalizeSettings({ enabled: 0 }).enabled, true);
    assert.equal(normalizeSettings({ enabled: 'false' }).enabled, true);
  });

  it('cleans the gateway URL and refuses what is not http(s)', () => {
    assert.equal(normalizeGatewayUrl(' http://127.0.0.1:5080/ '), 'http://127.0.0.1:5080');
    assert.equal(normalizeGatewayUrl('https://guard.example/base/?x=1#y'), 'https://guard.example/base');
    assert.equal(normalizeGatewayUrl('ftp://x'), null);
    assert.equal(normalizeGatewayUrl('javascript:alert(1)'), null);
    assert.equal(normalizeGatewayUrl('http://user:pw@host'), null);
    assert.equal(normalizeGatewayUrl('not a url'), null);
    assert.equal(normalizeSettings({ gatewayUrl: 'nope' }).gatewayUrl, DEFAULT_SETTINGS.gatewayUrl);
    assert.equal(normalizeSettings({ token: '  t0k  ' }).token, 't0k');
  });

  it('keys sites on host and port', () => {
    assert.equal(siteKey('https://Photos.Example/upload?a=1'), 'photos.example');
    assert.equal(siteKey('http://127.0.0.1:8080/'), '127.0.0.1:8080');
    assert.equal(siteKey('Photos.Example'), 'photos.example');
    assert.equal(siteKey(''), null);
    assert.equal(siteKey('file:///tmp/x.html'), null);
  });

  it('has a global switch and a per-site switch', () => {
    const on = normalizeSettings({});
    assert.equal(isActiveFor(on, 'https://a.example/x'), true);
    const offHere = setSiteEnabled(on, 'https://a.example/x', false);
    assert.deepEqual(offHere.disabledSites, ['a.example']);
    assert.equal(isActiveFor(offHere, 'https://a.example/other'), false);
    assert.equal(isActiveFor(offHere, 'https://b.example/'), true);
    assert.equal(isActiveFor({ ...offHere, enabled: false }, 'https://b.example/'), false);
    const back = setSiteEnabled(offHere, 'a.example', true);
    assert.deepEqual(back.disabledSites, []);
    assert.equal(isActiveFor(back, 'https://a.example/'), true);
    // switching a site off twice keeps one entry; the input is not modified
    assert.deepEqual(setSiteEnabled(offHere, 'A.example', false).disabledSites, ['a.example']);
    assert.deepEqual(on.disabledSites, []);
  });

  it('asks for a port-agnostic host permission for the gateway', () => {
    assert.equal(gatewayOriginPattern('http://127.0.0.1:5080'), 'http://127.0.0.1/*');
    assert.equal(gatewayOriginPattern('https://guard.example/base'), 'https://guard.example/*');
  });
});
