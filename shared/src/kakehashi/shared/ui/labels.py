"""Names of the sectors and tracks every page shows (the shared reference's codes), as message
ids translated once in the kit's catalogs: the portals and the console name them alike."""

from __future__ import annotations

from kakehashi.shared.ui.navigation import N_

# The SSW and ESD fields of `kakehashi.shared.reference.Sector`, by code.
SECTORS = {
    "nursing_care": N_("Nursing care"),
    "building_cleaning": N_("Building cleaning"),
    "industrial_products_manufacturing": N_("Industrial products manufacturing"),
    "construction": N_("Construction"),
    "shipbuilding": N_("Shipbuilding"),
    "automobile_maintenance": N_("Automobile maintenance"),
    "aviation": N_("Aviation"),
    "accommodation": N_("Accommodation"),
    "agriculture": N_("Agriculture"),
    "fisheries": N_("Fisheries"),
    "food_beverage_manufacturing": N_("Food and beverage manufacturing"),
    "food_service": N_("Food service"),
    "automobile_transport": N_("Automobile transport"),
    "railway": N_("Railway"),
    "forestry": N_("Forestry"),
    "wood_industry": N_("Wood industry"),
    "linen_supply": N_("Linen supply"),
    "logistics_warehouse": N_("Logistics warehousing"),
    "resource_circulation": N_("Resource circulation"),
}
# The routes to work in Japan (`kakehashi.shared.reference.Track`), by code.
TRACKS = {
    "titp": N_("Technical Intern Training"),
    "esd": N_("Employment for Skill Development"),
    "ssw1": N_("Specified Skilled Worker (i)"),
    "ssw2": N_("Specified Skilled Worker (ii)"),
}
