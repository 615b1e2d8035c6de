// Build-time stand-in for the `debug` package inside the function bundle: the SDKs' debug logging is off in
// production anyway (it needs the DEBUG variable), and the real package costs 12 KB of cold start.
function createDebug() {
  const log = () => {};
  log.enabled = false;
  log.extend = createDebug;
  log.log = log;
  return log;
}
createDebug.default = createDebug;
createDebug.debug = createDebug;
createDebug.enable = () => {};
createDebug.disable = () => "";
createDebug.enabled = () => false;
module.exports = createDebug;
