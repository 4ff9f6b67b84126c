import { describe, expect, it } from 'vitest';
import { printable } from '../../src/dsl/printable.js';

describe('printable', () => {
  it('writes control and bidirectional formatting characters as \\uXXXX, and leaves the rest', () => {
    expect(printable('\x1b[2J\x1b[31mPWNED\x1b[0m')).toBe('\\u001b[2J\\u001b[31mPWNED\\u001b[0m');
    expect(printable('a\nb\rc\x00d\x7f\x9b')).toBe('a\\u000ab\\u000dc\\u0000d\\u007f\\u009b');
    expect(printable('user\u202Etxt.exe\u2066')).toBe('user\\u202etxt.exe\\u2066');
    const plain = 'tab\there, "quotes", é, 😀, 中文';
    expect(printable(plain)).toBe(plain);
  });
});
