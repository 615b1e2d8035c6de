// Build-time stand-in for `xmlbuilder` inside the function bundle. `@alicloud/mns` only parses XML with
// xml2js (its requests are built as strings); xml2js loads xmlbuilder for its unused Builder (67 KB).
module.exports = {
  create() {
    throw new Error("xmlbuilder is not bundled: the function never builds XML with xml2js");
  },
};
