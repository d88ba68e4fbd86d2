//! The fixed vocabularies of profiles: eTwinning countries, languages, subjects and member
//! types. Codes are stored; names are for display (the UI translates codes where it can).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The eTwinning countries (ISO 3166-1 alpha-2, with `EL` for Greece as the EU writes it).
pub const COUNTRIES: &[(&str, &str)] = &[
    ("AL", "Albania"),
    ("AM", "Armenia"),
    ("AT", "Austria"),
    ("AZ", "Azerbaijan"),
    ("BA", "Bosnia and Herzegovina"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("EG", "Egypt"),
    ("EL", "Greece"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GE", "Georgia"),
    ("HR", "Croatia"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("JO", "Jordan"),
    ("LB", "Lebanon"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("MA", "Morocco"),
    ("MD", "Moldova"),
    ("ME", "Montenegro"),
    ("MK", "North Macedonia"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("SE", "Sweden"),
    ("SI", "Slovenia"),
    ("SK", "Slovakia"),
    ("TN", "Tunisia"),
    ("TR", "Türkiye"),
    ("UA", "Ukraine"),
];

/// Languages a teacher can work in (ISO 639-1).
pub const LANGUAGES: &[(&str, &str)] = &[
    ("ar", "Arabic"),
    ("bg", "Bulgarian"),
    ("ca", "Catalan"),
    ("cs", "Czech"),
    ("da", "Danish"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("es", "Spanish"),
    ("et", "Estonian"),
    ("eu", "Basque"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("ga", "Irish"),
    ("hr", "Croatian"),
    ("hu", "Hungarian"),
    ("hy", "Armenian"),
    ("is", "Icelandic"),
    ("it", "Italian"),
    ("ka", "Georgian"),
    ("lt", "Lithuanian"),
    ("lv", "Latvian"),
    ("mk", "Macedonian"),
    ("mt", "Maltese"),
    ("nl", "Dutch"),
    ("no", "Norwegian"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("sk", "Slovak"),
    ("sl", "Slovenian"),
    ("sq", "Albanian"),
    ("sr", "Serbian"),
    ("sv", "Swedish"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
];

/// School subjects, as eTwinning lists them (a code per subject).
pub const SUBJECTS: &[(&str, &str)] = &[
    ("art", "Art"),
    ("biology", "Biology"),
    ("chemistry", "Chemistry"),
    ("citizenship", "Citizenship"),
    ("cross_curricular", "Cross Curricular"),
    ("drama", "Drama"),
    ("economics", "Economics"),
    ("environmental_education", "Environmental Education"),
    ("european_studies", "European Studies"),
    ("foreign_languages", "Foreign Languages"),
    ("geography", "Geography"),
    ("history", "History"),
    ("ict", "Informatics / ICT"),
    ("language_literature", "Language and Literature"),
    ("mathematics", "Mathematics / Geometry"),
    ("media_education", "Media Education"),
    ("music", "Music"),
    ("natural_sciences", "Natural Sciences"),
    ("philosophy", "Philosophy / Logic"),
    ("physical_education", "Physical Education"),
    ("physics", "Physics"),
    ("pre_school", "Pre-school education"),
    ("primary_school_subjects", "Primary School Subjects"),
    ("psychology", "Psychology"),
    ("religion", "Religion"),
    ("social_studies", "Social Studies / Sociology"),
    ("special_needs", "Special Needs Education"),
    ("technology", "Technology"),
    ("vocational", "Vocational subjects"),
];

/// Topics of partner-finding postings (R6).
pub const TOPICS: &[(&str, &str)] = &[
    ("arts_culture", "Arts and culture"),
    ("citizenship", "Citizenship and democracy"),
    ("climate_environment", "Climate and environment"),
    ("cultural_heritage", "Cultural heritage"),
    ("digital_citizenship", "Digital citizenship"),
    ("entrepreneurship", "Entrepreneurship"),
    ("european_values", "European values"),
    ("health_wellbeing", "Health"),
    ("inclusion", "Inclusion and diversity"),
    ("languages_communication", "Languages and communication"),
    ("maths_science", "Mathematics and science"),
    ("media_literacy", "Media literacy"),
    ("outdoor_learning", "Outdoor learning"),
    ("programming_robotics", "Programming and robotics"),
    ("sustainability", "Sustainability"),
    ("wellbeing_sport", "Well-being and sport"),
];

/// The eight key competences for lifelong learning (Council Recommendation of 22 May 2018).
pub const KEY_COMPETENCES: &[(&str, &str)] = &[
    ("citizenship", "Citizenship"),
    ("cultural_awareness", "Cultural awareness and expression"),
    ("digital", "Digital"),
    ("entrepreneurship", "Entrepreneurship"),
    ("literacy", "Literacy"),
    ("multilingual", "Multilingual"),
    (
        "personal_social_learning",
        "Personal, social and learning to learn",
    ),
    ("stem", "Mathematics, science, technology and engineering"),
];

/// Age bands of pupils a posting or project is for, youngest first (not in code order).
pub const PUPIL_AGES: &[(&str, &str)] = &[
    ("0-5", "0–5"),
    ("6-9", "6–9"),
    ("10-12", "10–12"),
    ("13-15", "13–15"),
    ("16-19", "16–19"),
    ("20+", "20 and over"),
];

/// What kind of member someone is at their school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum MemberType {
    #[default]
    Teacher,
    HeadTeacher,
    Librarian,
    Counsellor,
    PedagogicalAdvisor,
    IctCoordinator,
    TeacherTrainer,
    Other,
}

fn known(list: &[(&str, &str)], code: &str) -> bool {
    list.iter().any(|(c, _)| *c == code)
}

pub fn is_country(code: &str) -> bool {
    known(COUNTRIES, code)
}

pub fn is_language(code: &str) -> bool {
    known(LANGUAGES, code)
}

pub fn is_subject(code: &str) -> bool {
    known(SUBJECTS, code)
}

pub fn is_topic(code: &str) -> bool {
    known(TOPICS, code)
}

pub fn is_key_competence(code: &str) -> bool {
    known(KEY_COMPETENCES, code)
}

pub fn is_pupil_age(code: &str) -> bool {
    known(PUPIL_AGES, code)
}

impl MemberType {
    /// The snake_case code used in the API (and as a search facet).
    pub fn code(self) -> &'static str {
        match self {
            MemberType::Teacher => "teacher",
            MemberType::HeadTeacher => "head_teacher",
            MemberType::Librarian => "librarian",
            MemberType::Counsellor => "counsellor",
            MemberType::PedagogicalAdvisor => "pedagogical_advisor",
            MemberType::IctCoordinator => "ict_coordinator",
            MemberType::TeacherTrainer => "teacher_trainer",
            MemberType::Other => "other",
        }
    }

    pub const ALL: [MemberType; 8] = [
        MemberType::Teacher,
        MemberType::HeadTeacher,
        MemberType::Librarian,
        MemberType::Counsellor,
        MemberType::PedagogicalAdvisor,
        MemberType::IctCoordinator,
        MemberType::TeacherTrainer,
        MemberType::Other,
    ];
}

/// A code and its English name, as listed by `GET /api/catalog`.
#[derive(Serialize, ToSchema)]
pub struct Entry {
    pub code: &'static str,
    pub name: &'static str,
}

pub fn entries(list: &[(&'static str, &'static str)]) -> Vec<Entry> {
    list.iter()
        .map(|(code, name)| Entry { code, name })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_have_unique_sorted_codes() {
        assert_eq!(COUNTRIES.len(), 46, "eTwinning spans 46 countries");
        let mut ages: Vec<_> = PUPIL_AGES.iter().map(|(c, _)| c).collect();
        ages.sort();
        ages.dedup();
        assert_eq!(ages.len(), PUPIL_AGES.len(), "age bands are unique");
        for list in [COUNTRIES, LANGUAGES, SUBJECTS, TOPICS, KEY_COMPETENCES] {
            assert!(
                list.windows(2).all(|w| w[0].0 < w[1].0),
                "sorted and unique"
            );
        }
        assert!(is_country("PL") && !is_country("XX") && !is_country("pl"));
        assert!(is_language("el") && is_subject("ict") && !is_subject("ICT"));
        assert!(is_topic("sustainability") && is_key_competence("stem") && is_pupil_age("20+"));
        for t in MemberType::ALL {
            let json = serde_json::to_value(t).unwrap();
            assert_eq!(json, t.code(), "code() matches the serde name");
        }
    }
}
