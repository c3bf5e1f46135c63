"""The roster of facilities that host visits and trainings (issue 22): training centres, laboratories,
test beds, demonstration sites, border crossing points, ranges."""
