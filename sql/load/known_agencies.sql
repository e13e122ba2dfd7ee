select org_nr from agencies
