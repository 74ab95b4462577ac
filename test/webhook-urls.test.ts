// Which URLs may receive webhooks, in production and in local development: the pure check behind createWebhookEndpoint.
import { describe, expect, it } from "vitest";
import { urlRefusal } from "../src/webhooks/endpoints";

const production = { allowLocal: false };
const localDev = { allowLocal: true };

describe("webhook URLs in production", () => {
  it.each([
    // Private, loopback, link-local, CGNAT, reserved, multicast, unspecified IPv4.
    "https://10.0.0.1/",
    "https://172.16.5.4/",
    "https://192.168.1.1/",
    "https://127.0.0.1/",
    "https://127.8.9.10/",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/",
    "https://0.0.0.0/",
    "https://192.0.2.10/",
    "https://198.18.0.1/",
    "https://224.0.0.1/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    // The same as IP literals in disguise: decimal, hex, octal, short forms, trailing dot, full-width digits.
    "https://2852039166/",
    "https://0xa9fea9fe/",
    "https://0251.0376.0251.0376/",
    "https://0x7f.1/",
    "https://127.1/",
    "https://0/",
    "https://169.254.169.254./",
    "https://１２７.0.0.1/",
    // IPv6: loopback, unspecified, unique local, link-local, multicast, documentation, and IPv4 inside IPv6.
    "https://[::1]/",
    "https://[::]/",
    "https://[fd00::1]/",
    "https://[fe80::1]/",
    "https://[ff02::1]/",
    "https://[2001:db8::1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[::ffff:10.0.0.1]/",
    "https://[0:0:0:0:0:ffff:7f00:1]/",
    "https://[::127.0.0.1]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[2002:a9fe:a9fe::1]/",
    "https://[100::1]/",
    // Names that only resolve inside a network, or spell out a private address.
    "https://localhost/",
    "https://LOCALHOST./",
    "https://api.localhost/",
    "https://printer.local/",
    "https://metadata.google.internal/",
    "https://intranet/",
    "https://10.0.0.1.nip.io/",
    "https://app-192-168-0-1.sslip.io/",
    // Plain http anywhere.
    "http://shop.example/hooks",
    "http://localhost:3000/hooks",
    "http://127.0.0.1:8080/hooks",
    "http://[::1]/hooks",
  ])("refuses %s", (url) => {
    expect(urlRefusal(url, production)).toEqual(expect.any(String));
  });

  it.each(["https://shop.example/hooks", "https://shop.example:8443/h?x=1", "https://8.8.8.8/", "https://[2606:4700::1111]/", "https://[::ffff:8.8.8.8]/", "https://10.shop.example/", "https://receiver.test/x"])(
    "allows %s",
    (url) => {
      expect(urlRefusal(url, production)).toBeNull();
    },
  );
});

describe("webhook URLs in local development", () => {
  it.each(["http://localhost:3000/hooks", "http://127.0.0.1:8080/hooks", "http://[::1]/hooks", "https://localhost/hooks", "http://api.localhost/"])("allows %s", (url) => {
    expect(urlRefusal(url, localDev)).toBeNull();
  });

  it.each(["http://shop.example/hooks", "http://10.0.0.1/", "https://169.254.169.254/", "https://[fd00::1]/", "http://localhost.shop.example/"])("still refuses %s", (url) => {
    expect(urlRefusal(url, localDev)).toEqual(expect.any(String));
  });
});
