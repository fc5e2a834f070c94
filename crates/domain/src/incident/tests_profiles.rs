//! End-to-end samples of the three built-in layouts, with their real header lines.

use super::tests::{fixture_lon_lat, run, ts};
use super::*;

const CHICAGO: &str = "\
ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,Updated On,Latitude,Longitude,Location
12938029,JG100001,01/05/2023 09:30:00 PM,017XX W 79TH ST,0486,BATTERY,DOMESTIC BATTERY SIMPLE,APARTMENT,false,true,0611,006,17,71,08B,1166456,1852510,2023,01/12/2023 03:45:56 PM,41.750858726,-87.668077373,\"(41.750858726, -87.668077373)\"
12938030,JG100002,01/06/2023 12:00:00 AM,0000X W TERMINAL ST,0810,THEFT,OVER $500,AIRPORT TERMINAL UPPER LEVEL - SECURE AREA,false,false,1651,016,41,76,06,,,2023,01/13/2023 03:45:56 PM,,,
12938031,JG100003,03/12/2023 02:30:00 AM,046XX S KEDZIE AVE,2024,NARCOTICS,POSS: HEROIN(WHITE),STREET,true,false,0922,009,14,58,18,1155860,1873500,2023,03/19/2023 03:45:56 PM,,,
12938032,JG100004,11/05/2023 01:30:00 AM,005XX N STATE ST,0560,ASSAULT,SIMPLE,SIDEWALK,false,false,1834,018,42,8,08A,1176346,1903576,2023,11/12/2023 03:45:56 PM,41.891,-87.6278,\"(41.891, -87.6278)\"
12938033,JG100005,07/04/2023 11:15:00 PM,063XX S HALSTED ST,0265,CRIMINAL SEXUAL ASSAULT,AGGRAVATED - OTHER,RESIDENCE,false,false,0712,007,16,68,02,,,2023,07/11/2023 03:45:56 PM,,,
12938034,JG100006,02/14/2023 10:00:00 AM,010XX W 69TH ST,1752,OFFENSE INVOLVING CHILDREN,AGG CRIM SEX ABUSE FAM MEMBER,RESIDENCE,false,true,0733,007,17,68,17,,,2023,02/21/2023 03:45:56 PM,,,
12938035,JG100007,02/15/2023 04:20:00 PM,052XX S PULASKI RD,1792,OFFENSE INVOLVING CHILDREN,CHILD ABANDONMENT,RESIDENCE,false,false,0815,008,14,62,20,1150346,1869768,2023,02/22/2023 03:45:56 PM,41.798,-87.7239,\"(41.798, -87.7239)\"
12938036,JG100008,05/20/2023 01:05:00 AM,038XX W CHICAGO AVE,143A,WEAPONS VIOLATION,UNLAWFUL POSS OF HANDGUN,STREET,true,false,1112,011,27,23,15,1150706,1905012,2023,05/27/2023 03:45:56 PM,41.8956,-87.7216,\"(41.8956, -87.7216)\"
12938037,JG100009,06/01/2023 08:00:00 AM,079XX S COLES AVE,4387,OTHER OFFENSE,VIOLATE ORDER OF PROTECTION,RESIDENCE,false,true,0421,004,7,46,26,1196390,1852850,2023,06/08/2023 03:45:56 PM,41.7513,-87.5568,\"(41.7513, -87.5568)\"
12938038,JG100010,08/08/2023 03:00:00 PM,001XX N WACKER DR,1582,HUMAN TRAFFICKING,INVOLUNTARY SERVITUDE,HOTEL/MOTEL,false,false,0122,001,42,32,26,1174410,1901150,2023,08/15/2023 03:45:56 PM,41.8844,-87.6371,\"(41.8844, -87.6371)\"
";

const LAPD: &str = "\
DR_NO,Date Rptd,DATE OCC,TIME OCC,AREA,AREA NAME,Rpt Dist No,Part 1-2,Crm Cd,Crm Cd Desc,Mocodes,Vict Age,Vict Sex,Vict Descent,Premis Cd,Premis Desc,Weapon Used Cd,Weapon Desc,Status,Status Desc,Crm Cd 1,Crm Cd 2,Crm Cd 3,Crm Cd 4,LOCATION,Cross Street,LAT,LON
010304468,01/08/2020 12:00:00 AM,01/08/2020 12:00:00 AM,2230,03,Southwest,0377,2,624,BATTERY - SIMPLE ASSAULT,0444 0913,36,F,B,501,SINGLE FAMILY DWELLING,400,\"STRONG-ARM (HANDS, FIST, FEET OR BODILY FORCE)\",AO,Adult Other,624,,,,1100 W  39TH                         PL,,34.0141,-118.2978
190101086,01/02/2020 12:00:00 AM,01/01/2020 12:00:00 AM,0330,01,Central,0163,1,330,BURGLARY FROM VEHICLE,0344 1609,47,M,W,101,STREET,,,IC,Invest Cont,330,,,,700 S  HILL                         ST,,34.0459,-118.2545
200907217,05/10/2023 12:00:00 AM,03/10/2020 12:00:00 AM,5,09,Van Nuys,0922,1,510,VEHICLE - STOLEN,,0,,,101,STREET,,,IC,Invest Cont,510,,,,14000    RIVERSIDE                    DR,,0,0
200307789,03/09/2020 12:00:00 AM,03/08/2020 12:00:00 AM,0230,03,Southwest,0358,1,235,CHILD ABUSE (PHYSICAL) - AGGRAVATED ASSAULT,0416 1259,8,F,H,502,\"MULTI-UNIT DWELLING (APARTMENT, DUPLEX, ETC)\",400,\"STRONG-ARM (HANDS, FIST, FEET OR BODILY FORCE)\",AA,Adult Arrest,235,,,,1600 W  36TH                         PL,,34.0229,-118.3026
201212345,06/02/2020 12:00:00 AM,06/01/2020 12:00:00 AM,1845,12,77th Street,1241,2,626,INTIMATE PARTNER - SIMPLE ASSAULT,2000 0416,30,F,B,501,SINGLE FAMILY DWELLING,400,\"STRONG-ARM (HANDS, FIST, FEET OR BODILY FORCE)\",JA,Juv Arrest,626,,,,6700 S  FIGUEROA                     ST,,33.9788,-118.2827
201412346,07/15/2020 12:00:00 AM,07/01/2020 12:00:00 AM,1200,14,Pacific,1431,2,354,THEFT OF IDENTITY,0100 1822,15,M,H,501,SINGLE FAMILY DWELLING,,,IC,Invest Cont,354,,,,5400 W  CENTINELA                    AV,,33.9802,-118.3761
201812347,08/20/2020 12:00:00 AM,08/19/2020 12:00:00 AM,2300,18,Southeast,1822,2,822,HUMAN TRAFFICKING - COMMERCIAL SEX ACTS,0905,19,F,B,102,SIDEWALK,,,IC,Invest Cont,822,,,,FIGUEROA,108TH,33.9375,-118.2827
201912348,09/12/2020 12:00:00 AM,09/11/2020 12:00:00 AM,0115,19,Mission,1955,1,121,\"RAPE, FORCIBLE\",0527,27,F,H,501,SINGLE FAMILY DWELLING,,,IC,Invest Cont,121,,,,,,0,0
202012349,10/02/2020 12:00:00 AM,10/01/2020 12:00:00 AM,1605,20,Olympic,2033,2,997,BRANDISH REPLICA WEAPON,1402,0,X,X,101,STREET,,,IC,Invest Cont,997,,,,3000 W  OLYMPIC                      BL,,34.0522,-118.2986
";

const NYPD: &str = "\
CMPLNT_NUM,CMPLNT_FR_DT,CMPLNT_FR_TM,CMPLNT_TO_DT,CMPLNT_TO_TM,ADDR_PCT_CD,RPT_DT,KY_CD,OFNS_DESC,PD_CD,PD_DESC,CRM_ATPT_CPTD_CD,LAW_CAT_CD,BORO_NM,LOC_OF_OCCUR_DESC,PREM_TYP_DESC,JURIS_DESC,JURISDICTION_CODE,PARKS_NM,HADEVELOPT,HOUSING_PSA,X_COORD_CD,Y_COORD_CD,SUSP_AGE_GROUP,SUSP_RACE,SUSP_SEX,TRANSIT_DISTRICT,Latitude,Longitude,Lat_Lon,PATROL_BORO,STATION_NAME,VIC_AGE_GROUP,VIC_RACE,VIC_SEX
261467496,12/31/2022,23:45:00,12/31/2022,23:50:00,75,01/01/2023,344,ASSAULT 3 & RELATED OFFENSES,101,ASSAULT 3,COMPLETED,MISDEMEANOR,BROOKLYN,INSIDE,RESIDENCE - APT. HOUSE,N.Y. POLICE DEPT,0,(null),(null),,1019563,182738,25-44,BLACK,M,,40.66818,-73.872706,\"(40.66818, -73.872706)\",PATROL BORO BKLYN NORTH,(null),<18,BLACK,F
261467497,01/02/2023,08:10:00,(null),(null),14,01/02/2023,578,HARRASSMENT 2,638,\"HARASSMENT,SUBD 3,4,5\",COMPLETED,VIOLATION,MANHATTAN,FRONT OF,STREET,N.Y. POLICE DEPT,0,(null),(null),,987020,216552,(null),(null),(null),,,,,PATROL BORO MAN SOUTH,(null),25-44,WHITE,M
261467498,01/03/2023,02:00:00,(null),(null),103,01/04/2023,104,RAPE,157,RAPE 1,COMPLETED,FELONY,QUEENS,INSIDE,RESIDENCE-HOUSE,N.Y. POLICE DEPT,0,(null),(null),,,,25-44,(null),M,,,,,PATROL BORO QUEENS SOUTH,(null),25-44,BLACK,F
261467499,01/04/2023,14:30:00,(null),(null),44,01/04/2023,235,DANGEROUS DRUGS,511,\"CONTROLLED SUBSTANCE, POSSESSION 7\",COMPLETED,MISDEMEANOR,BRONX,FRONT OF,STREET,N.Y. POLICE DEPT,0,(null),(null),,1006538,244039,18-24,BLACK,M,,40.8377,-73.9199,\"(40.8377, -73.9199)\",PATROL BORO BRONX,(null),UNKNOWN,UNKNOWN,E
261467500,01/05/2023,19:00:00,(null),(null),23,01/06/2023,233,SEX CRIMES,175,\"SEXUAL ABUSE 3,2\",COMPLETED,MISDEMEANOR,MANHATTAN,INSIDE,TRANSIT - NYC SUBWAY,N.Y. TRANSIT POLICE,1,(null),(null),,998337,230337,45-64,WHITE,M,3,40.8002,-73.9446,\"(40.8002, -73.9446)\",PATROL BORO MAN NORTH,116 STREET,25-44,ASIAN / PACIFIC ISLANDER,F
261467501,01/06/2023,16:15:00,(null),(null),120,01/06/2023,361,OFFENSES RELATED TO CHILDREN,919,\"CHILD, ENDANGERING WELFARE\",COMPLETED,MISDEMEANOR,STATEN ISLAND,INSIDE,RESIDENCE - PUBLIC HOUSING,N.Y. HOUSING POLICE,2,(null),STAPLETON,,962808,169218,25-44,BLACK,F,,40.6267,-74.0779,\"(40.6267, -74.0779)\",PATROL BORO STATEN ISLAND,(null),<18,BLACK,M
261467502,01/07/2023,21:05:00,(null),(null),32,01/07/2023,352,(null),204,\"TRESPASS 3, CRIMINAL\",COMPLETED,VIOLATION,MANHATTAN,INSIDE,RESIDENCE - APT. HOUSE,N.Y. POLICE DEPT,0,(null),(null),,1000980,236930,25-44,BLACK,M,,40.8183,-73.9350,\"(40.8183, -73.9350)\",PATROL BORO MAN NORTH,(null),UNKNOWN,UNKNOWN,E
261467503,01/08/2023,10:00:00,(null),(null),1,01/08/2023,999,NEW UNLISTED OFFENSE,(null),(null),COMPLETED,VIOLATION,MANHATTAN,(null),(null),N.Y. POLICE DEPT,0,(null),(null),,980696,198434,(null),(null),(null),,40.7113,-74.0130,\"(40.7113, -74.0130)\",PATROL BORO MAN SOUTH,(null),UNKNOWN,UNKNOWN,E
261467504,01/09/2023,13:40:00,01/09/2023,13:45:00,18,01/09/2023,109,GRAND LARCENY,438,\"LARCENY,GRAND FROM BUILDING (NON-RESIDENCE) UNATTENDED\",COMPLETED,FELONY,MANHATTAN,INSIDE,COMMERCIAL BUILDING,N.Y. POLICE DEPT,0,(null),(null),,988500,217500,(null),(null),(null),,40.7635,-73.9846,\"(40.7635, -73.9846)\",PATROL BORO MAN SOUTH,(null),45-64,WHITE,F
";

/// `(category, sensitivity)` of every parsed row.
fn classes(incidents: &[Incident]) -> Vec<(Category, Option<Sensitivity>)> {
    incidents.iter().map(|i| (i.category, i.sensitive)).collect()
}

fn all_ok(results: Vec<Result<Incident, Reject>>) -> Vec<Incident> {
    results.into_iter().map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
}

#[test]
fn samples_use_the_real_header_lines() {
    assert_eq!(CHICAGO.lines().next(), Some(CHICAGO_HEADER));
    assert_eq!(LAPD.lines().next(), Some(LAPD_HEADER));
    assert_eq!(NYPD.lines().next(), Some(NYPD_HEADER));
}

#[test]
fn chicago_sample() {
    use Category::*;
    use Sensitivity::*;
    let rows = all_ok(run("chicago", None, CHICAGO, "America/Chicago"));
    assert_eq!(rows.len(), 10);
    assert_eq!(
        classes(&rows),
        [
            (Violent, Some(Domestic)),
            (Property, None),
            (Drugs, None),
            (Violent, None),
            (SexOffences, Some(SexOffence)),
            (SexOffences, Some(SexOffence)),
            (Other, Some(Juvenile)),
            (Weapons, None),
            (Other, Some(Domestic)),
            (Violent, Some(HumanTrafficking)),
        ]
    );
    let first = &rows[0];
    assert_eq!(first.source_id, "12938029");
    assert_eq!(first.occurred_at, ts("2023-01-05T21:30:00-06:00"));
    assert_eq!((first.offence_code.as_str(), first.offence.as_str()), ("0486", "BATTERY"));
    assert_eq!(first.offence_detail.as_deref(), Some("DOMESTIC BATTERY SIMPLE"));
    assert_eq!((first.lon, first.lat), (Some(-87.668077373), Some(41.750858726)));
    assert_eq!(first.block.as_deref(), Some("017XX W 79TH ST"));
    assert_eq!(first.location_type.as_deref(), Some("APARTMENT"));
    assert!(!first.arrest);

    // No coordinates at all; midnight.
    assert_eq!((rows[1].lon, rows[1].lat), (None, None));
    assert_eq!(rows[1].occurred_at, ts("2023-01-06T00:00:00-06:00"));
    // Empty latitude/longitude: projected from X/Y (EPSG:3435), checked against pyproj. 02:30 does not exist on
    // the spring-forward day: moved forward to 03:30 CDT.
    let (lon, lat) = fixture_lon_lat(3435, 1155860.0, 1873500.0);
    assert!((rows[2].lon.unwrap() - lon).abs() < 1e-7 && (rows[2].lat.unwrap() - lat).abs() < 1e-7);
    assert_eq!(rows[2].occurred_at, ts("2023-03-12T03:30:00-05:00"));
    assert!(rows[2].arrest);
    // 01:30 happens twice on the fall-back day: the earlier (CDT) instant.
    assert_eq!(rows[3].occurred_at, ts("2023-11-05T01:30:00-05:00"));
    assert!(rows[7].arrest);
}

#[test]
fn lapd_sample() {
    use Category::*;
    use Sensitivity::*;
    let rows = all_ok(run("lapd", None, LAPD, "America/Los_Angeles"));
    assert_eq!(rows.len(), 9);
    assert_eq!(
        classes(&rows),
        [
            (Violent, None),
            (Property, None),
            (Property, None),
            (Violent, Some(Juvenile)),
            (Violent, Some(Domestic)),
            (Property, Some(Juvenile)),
            (Violent, Some(HumanTrafficking)),
            (SexOffences, Some(SexOffence)),
            (Weapons, None),
        ]
    );
    let first = &rows[0];
    assert_eq!(first.source_id, "010304468");
    // DATE OCC's 12:00:00 AM is ignored; TIME OCC gives the time.
    assert_eq!(first.occurred_at, ts("2020-01-08T22:30:00-08:00"));
    assert_eq!(first.block.as_deref(), Some("1100 W 39TH PL"));
    assert_eq!(first.location_type.as_deref(), Some("SINGLE FAMILY DWELLING"));
    assert_eq!(first.offence_detail, None);
    assert_eq!((first.lon, first.lat), (Some(-118.2978), Some(34.0141)));
    // TIME OCC "5" is 00:05; LAT/LON 0,0 is a redacted location.
    assert_eq!(rows[2].occurred_at, ts("2020-03-10T00:05:00-07:00"));
    assert_eq!((rows[2].lon, rows[2].lat), (None, None));
    assert_eq!(rows[2].block.as_deref(), Some("14000 RIVERSIDE DR"));
    // Spring forward in Los Angeles.
    assert_eq!(rows[3].occurred_at, ts("2020-03-08T03:30:00-07:00"));
    // Adult Arrest and Juv Arrest are arrests; Invest Cont and Adult Other are not.
    let arrests: Vec<bool> = rows.iter().map(|r| r.arrest).collect();
    assert_eq!(arrests, [false, false, false, true, true, false, false, false, false]);
    assert_eq!(rows[7].block, None);
}

#[test]
fn nypd_sample() {
    use Category::*;
    use Sensitivity::*;
    let rows = all_ok(run("nypd", None, NYPD, "America/New_York"));
    assert_eq!(rows.len(), 9);
    assert_eq!(
        classes(&rows),
        [
            (Violent, Some(Juvenile)),
            (Disorder, None),
            (SexOffences, Some(SexOffence)),
            (Drugs, None),
            (SexOffences, Some(SexOffence)),
            (Other, Some(Juvenile)),
            (Disorder, None),
            (Disorder, None),
            (Property, None),
        ]
    );
    let first = &rows[0];
    assert_eq!(first.source_id, "261467496");
    assert_eq!(first.occurred_at, ts("2022-12-31T23:45:00-05:00"));
    assert_eq!((first.offence_code.as_str(), first.offence.as_str()), ("344", "ASSAULT 3 & RELATED OFFENSES"));
    assert_eq!(first.offence_detail.as_deref(), Some("ASSAULT 3"));
    assert_eq!(first.block, None);
    assert_eq!(first.location_type.as_deref(), Some("RESIDENCE - APT. HOUSE"));
    assert!(rows.iter().all(|r| !r.arrest));
    // Empty Latitude/Longitude: projected from X_COORD_CD/Y_COORD_CD (EPSG:2263), checked against pyproj.
    let (lon, lat) = fixture_lon_lat(2263, 987020.0, 216552.0);
    assert!((rows[1].lon.unwrap() - lon).abs() < 1e-7 && (rows[1].lat.unwrap() - lat).abs() < 1e-7);
    // Rape locations are withheld by NYPD: no coordinates.
    assert_eq!((rows[2].lon, rows[2].lat), (None, None));
    // OFNS_DESC "(null)": the detail stands in for the description.
    assert_eq!(rows[6].offence, "TRESPASS 3, CRIMINAL");
    assert_eq!(rows[6].offence_detail, None);
    assert_eq!(rows[7].offence_detail, None);
}

#[test]
fn sensitivity_rules_can_switch_classes_off() {
    use Sensitivity::*;
    let profile = profile("chicago", None).unwrap();
    let rules = SensitivityRules { enabled: vec![Juvenile, HumanTrafficking] };
    let incidents = super::tests::run_with(&profile, CHICAGO, "America/Chicago", rules);
    let marks: Vec<Option<Sensitivity>> = incidents.into_iter().map(|r| r.unwrap().sensitive).collect();
    // Domestic and sex-offence marks are gone; the sexual abuse of a child falls back to Juvenile.
    assert_eq!(
        marks,
        [None, None, None, None, None, Some(Juvenile), Some(Juvenile), None, None, Some(HumanTrafficking)]
    );
    let none = super::tests::run_with(&profile, CHICAGO, "America/Chicago", SensitivityRules { enabled: vec![] });
    assert!(none.into_iter().all(|r| r.unwrap().sensitive.is_none()));
}
