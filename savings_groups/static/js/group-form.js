// The group form: the chosen country's currencies come first (and the first is chosen while
// the user has chosen none), and the rounding unit follows the currency's smallest unit
// (0,01 for the euro, 1 for the franc CFA) until the user types another.
// Progressive enhancement: without it the lists still work, and a blank unit is the smallest.
(function () {
  "use strict";

  function data(element, name) {
    try { return JSON.parse(element.dataset[name] || "{}"); } catch (error) { return {}; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var country = document.getElementById("country");
    var currency = document.getElementById("currency");
    var unit = document.getElementById("rounding_unit");
    if (!country || !currency || !unit) { return; }
    var byCountry = data(country, "currencies");
    var units = data(unit, "units");
    var collator = new Intl.Collator(document.documentElement.lang || undefined);
    var shown = currency.value;  // the currency whose smallest unit the pre-fill shows
    var picked = "";  // the currency this script chose for a country, not the user

    function followCurrency() {
      var text = unit.value.trim();
      if (text === "" || text === units[shown]) { unit.value = units[currency.value] || ""; }
      shown = currency.value;
    }

    function followCountry() {
      var own = byCountry[country.value] || [];
      var rank = function (option) {
        var index = own.indexOf(option.value);
        return index === -1 ? own.length : index;
      };
      var options = Array.prototype.filter.call(currency.options, function (o) { return o.value; });
      options.sort(function (a, b) { return rank(a) - rank(b) || collator.compare(a.text, b.text); });
      options.forEach(function (option) { currency.appendChild(option); });
      if (own.length && (currency.value === "" || currency.value === picked)) {
        currency.value = picked = own[0];
        followCurrency();
      }
    }

    if (unit.value.trim() === "" && units[currency.value]) { unit.value = units[currency.value]; }
    country.addEventListener("change", followCountry);
    currency.addEventListener("change", function () { picked = ""; followCurrency(); });
  });
})();
