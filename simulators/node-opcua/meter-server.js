"use strict";
// An energy meter as an OPC UA server built with node-opcua, so that the gateway's OPC UA connector
// is tested against an implementation nobody here wrote. Usage: node meter-server.js PORT [METER]
// Prints "READY <port> <namespace-uri>" once listening, "CERT <file>" (its certificate, PEM), and
// "BREAKER <meter> <true|false>" on each write; "LOGIN <user> <ok|refused>" on each login.
// With METER_USER and METER_PASSWORD in the environment the server requires security, as a school's
// energy server should: Basic256Sha256 / Aes128_Sha256_RsaOaep / Aes256_Sha256_RsaPss with
// SignAndEncrypt and that user, nothing anonymous (the password is not on the command line, where
// ps would show it). As a simulator it accepts any client certificate.
// node-opcua 2.182.2 is the last release that runs on Node 20 (2.183+ needs Node 22.13).
const path = require("path");
const os = require("os");
const {
  OPCUAServer, OPCUACertificateManager, Variant, DataType, StatusCodes, SecurityPolicy, MessageSecurityMode,
} = require("node-opcua");

const port = parseInt(process.argv[2] || "4840", 10);
const meterId = process.argv[3] || "Meter1";
const user = process.env.METER_USER;
const password = process.env.METER_PASSWORD;
const secured = !!(user && password);

(async () => {
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: process.env.METER_PKI || path.join(os.tmpdir(), "campus-edge-node-opcua-pki"),
    automaticallyAcceptUnknownCertificate: true,
  });
  const server = new OPCUAServer({
    port, host: "127.0.0.1", hostname: "127.0.0.1", resourcePath: "/meter",
    securityPolicies: secured
      ? [SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss]
      : [SecurityPolicy.None],
    securityModes: secured ? [MessageSecurityMode.SignAndEncrypt] : [MessageSecurityMode.None],
    allowAnonymous: !secured, serverCertificateManager,
    userManager: {
      isValidUser: (name, pass) => {
        const ok = secured && name === user && pass === password;
        console.log(`LOGIN ${name} ${ok ? "ok" : "refused"}`);
        return ok;
      },
    },
    buildInfo: { productName: "campus-edge node-opcua meter", buildNumber: "1", buildDate: new Date() },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  const ns = addressSpace.getOwnNamespace();
  const meter = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: meterId, nodeId: `s=${meterId}` });
  const values = { ActivePower: 42.0, Energy: 1000.0, Voltage: 230.0, Current: 65.0 };
  const variables = {};
  for (const name of Object.keys(values)) {
    variables[name] = ns.addVariable({
      componentOf: meter, browseName: name, nodeId: `s=${meterId}.${name}`, dataType: "Double",
      minimumSamplingInterval: 100, value: new Variant({ dataType: DataType.Double, value: values[name] }),
    });
  }
  let breaker = true;
  ns.addVariable({
    componentOf: meter, browseName: "Breaker", nodeId: `s=${meterId}.Breaker`, dataType: "Boolean",
    accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite", minimumSamplingInterval: 100,
    value: {
      get: () => new Variant({ dataType: DataType.Boolean, value: breaker }),
      set: (v) => { breaker = !!v.value; console.log(`BREAKER ${meterId} ${breaker}`); return StatusCodes.Good; },
    },
  });
  setInterval(() => {
    values.ActivePower = breaker ? 40 + Math.random() * 5 : 0;
    values.Energy += values.ActivePower / 3600 / 2;
    values.Voltage = 229 + Math.random() * 2;
    values.Current = values.ActivePower * 1000 / (Math.sqrt(3) * 400 * 0.92);
    for (const [name, v] of Object.entries(values)) {
      variables[name].setValueFromSource(new Variant({ dataType: DataType.Double, value: v }));
    }
  }, 500);
  await server.start();
  console.log(`CERT ${server.certificateFile}`);
  console.log(`READY ${port} ${ns.namespaceUri}`);
  const stop = async () => { await server.shutdown(0); process.exit(0); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
})().catch((e) => { console.error(e); process.exit(1); });
