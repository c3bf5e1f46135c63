"""Study-visit logistics (arrivals, departures, accommodation) and visa support letters."""
