// Functions the grids' column definitions name (dash-ag-grid looks them up here).
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

// An ISO date ("2023-03-31", what the rows and CSVs hold, so grids sort by date) as the rest of
// the dashboard writes dates: "31 Mar 2023" (Python's "%d %b %Y"; dashboard.render.DATE_FORMAT).
// Month names are spelt out here: the browser's own short months differ by locale ("Sept").
var CSC_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
dagfuncs.cscDate = function (value) {
  if (value === null || value === undefined || value === "") {
    return "";
  }
  var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value));
  return m ? m[3] + " " + CSC_MONTHS[Number(m[2]) - 1] + " " + m[1] : String(value);
};
