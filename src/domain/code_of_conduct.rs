//! The groups' Code of Conduct (R9: "creating one requires accepting the Code of Conduct").
//! Versioned: a creator accepts the version shown, the acceptance is stored with the
//! version, and changing the text means a new version that must be accepted again.

use serde::Serialize;
use utoipa::ToSchema;

/// The current version. Raise it whenever the text below changes in meaning.
pub const VERSION: u32 = 1;

/// The Code of Conduct in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeOfConduct {
    pub version: u32,
    /// The language of the text (ISO 639-1); English when the one asked for has none.
    pub lang: &'static str,
    pub title: &'static str,
    pub points: &'static [&'static str],
}

const EN: [&str; 6] = [
    "Be respectful: groups bring together teachers of many countries, languages and cultures.",
    "Keep to the group's subject and share what helps teaching and learning.",
    "Share only what you have the right to share, and never pupils' personal data or pictures without consent.",
    "No advertising, spam or political or religious propaganda.",
    "Administrators look after the group: they may edit it, delete messages and remove members who break these rules.",
    "Report abuse to your National Support Organisation.",
];
const FR: [&str; 6] = [
    "Soyez respectueux : les groupes réunissent des enseignants de nombreux pays, langues et cultures.",
    "Restez dans le sujet du groupe et partagez ce qui aide à enseigner et à apprendre.",
    "Ne partagez que ce que vous avez le droit de partager, et jamais de données personnelles ni de photos d'élèves sans consentement.",
    "Pas de publicité, de spam ni de propagande politique ou religieuse.",
    "Les administrateurs veillent sur le groupe : ils peuvent le modifier, supprimer des messages et retirer les membres qui enfreignent ces règles.",
    "Signalez les abus à votre Bureau national d'assistance.",
];
const DE: [&str; 6] = [
    "Seien Sie respektvoll: Gruppen bringen Lehrkräfte aus vielen Ländern, Sprachen und Kulturen zusammen.",
    "Bleiben Sie beim Thema der Gruppe und teilen Sie, was Lehren und Lernen hilft.",
    "Teilen Sie nur, was Sie teilen dürfen, und niemals personenbezogene Daten oder Bilder von Schülerinnen und Schülern ohne Einwilligung.",
    "Keine Werbung, kein Spam, keine politische oder religiöse Propaganda.",
    "Die Administratoren kümmern sich um die Gruppe: Sie dürfen sie bearbeiten, Nachrichten löschen und Mitglieder entfernen, die gegen diese Regeln verstoßen.",
    "Melden Sie Missbrauch Ihrer nationalen Koordinierungsstelle.",
];
const ES: [&str; 6] = [
    "Sé respetuoso: los grupos reúnen a docentes de muchos países, lenguas y culturas.",
    "Cíñete al tema del grupo y comparte lo que ayude a enseñar y aprender.",
    "Comparte solo lo que tengas derecho a compartir, y nunca datos personales ni fotos de alumnos sin consentimiento.",
    "Nada de publicidad, spam ni propaganda política o religiosa.",
    "Los administradores cuidan del grupo: pueden editarlo, borrar mensajes y expulsar a los miembros que incumplan estas normas.",
    "Informa de los abusos a tu Servicio Nacional de Apoyo.",
];
const IT: [&str; 6] = [
    "Sii rispettoso: i gruppi riuniscono insegnanti di molti paesi, lingue e culture.",
    "Resta sul tema del gruppo e condividi ciò che aiuta a insegnare e imparare.",
    "Condividi solo ciò che hai il diritto di condividere, e mai dati personali o foto degli alunni senza consenso.",
    "Niente pubblicità, spam o propaganda politica o religiosa.",
    "Gli amministratori si occupano del gruppo: possono modificarlo, cancellare messaggi e rimuovere i membri che violano queste regole.",
    "Segnala gli abusi alla tua Unità nazionale.",
];
const PL: [&str; 6] = [
    "Okazuj szacunek: grupy łączą nauczycieli z wielu krajów, języków i kultur.",
    "Trzymaj się tematu grupy i dziel się tym, co pomaga uczyć i się uczyć.",
    "Udostępniaj tylko to, do czego masz prawo, i nigdy danych osobowych ani zdjęć uczniów bez zgody.",
    "Żadnych reklam, spamu ani propagandy politycznej czy religijnej.",
    "Administratorzy dbają o grupę: mogą ją edytować, usuwać wiadomości i usuwać członków łamiących te zasady.",
    "Zgłaszaj nadużycia swojemu Krajowemu Biuru Kontaktowemu.",
];

/// The text in `lang` (ISO 639-1), or in English when there is none in that language.
pub fn text(lang: &str) -> CodeOfConduct {
    let (lang, title, points): (&'static str, &'static str, &'static [&'static str]) = match lang {
        "fr" => ("fr", "Code de conduite des groupes", &FR),
        "de" => ("de", "Verhaltenskodex für Gruppen", &DE),
        "es" => ("es", "Código de conducta de los grupos", &ES),
        "it" => ("it", "Codice di condotta dei gruppi", &IT),
        "pl" => ("pl", "Kodeks postępowania w grupach", &PL),
        _ => ("en", "Groups Code of Conduct", &EN),
    };
    CodeOfConduct {
        version: VERSION,
        lang,
        title,
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_point_and_others_fall_back_to_english() {
        for lang in ["en", "fr", "de", "es", "it", "pl"] {
            let c = text(lang);
            assert_eq!(c.lang, lang);
            assert_eq!(c.points.len(), EN.len());
            assert!(c.points.iter().all(|p| !p.is_empty()));
        }
        assert_eq!(text("fi").lang, "en");
    }
}
