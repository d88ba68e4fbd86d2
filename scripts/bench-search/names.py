"""Name and place data for generate.py: per eTwinning country, first names (female, male),
surnames and cities, each list roughly from most to least common (generate.py weights them
by rank, so the head of a list is frequent and its end is rare).

Conventions:
- Lists are comma-separated strings.
- A surname "masc|fem" gives both forms; otherwise the country's `fem` rule (below) derives
  the feminine form, or the name is the same for both.
- `script`: the lists are written in that script (Greek or Cyrillic); generate.py writes a
  share of the names (`latin` of them) in the Latin transliteration instead.
- A city "Latin|Native" gives both spellings (English bios use the first, native ones the
  second).
- `tail`: (roots, suffixes) combined into rare surnames (a long tail); `double`: Iberian
  double surnames (first + second family name).
- `w`: relative number of registered teachers (eTwinning's big countries first).
- `langs`: the country's languages (catalogue codes; the first is the main one);
  `female`: share of women among its teachers; `bio`: language(s) of generate.py's native
  bio templates; `surname_first`: share written "Surname First" (Hungarian);
  `patronymic`: surnames are the father's name (genitive) + son/dóttir (Icelandic);
  `borrow`: (country, share) of profiles named from another country's lists.
"""

COUNTRIES = {
    "TR": dict(
        w=22.0, langs="tr", female=0.58, bio="tr",
        f="Ayşe,Fatma,Emine,Hatice,Zeynep,Elif,Meryem,Özlem,Yasemin,Esra,Derya,Gülşen,Şule,"
          "Gamze,Tuğba,Sibel,Özge,Büşra,Selin,Nur,Gül,Çağla,Sevgi,Filiz,Aslı,Pınar,Ebru,Dilek,"
          "Hülya,Songül,Nurcan,Gökçe,Melek,Serap,Aysel,Merve,Sevim,Handan",
        m="Mehmet,Mustafa,Ahmet,Ali,Hüseyin,Hasan,İbrahim,Murat,Ömer,Serkan,Burak,Emre,Cem,"
          "Kemal,Volkan,Yusuf,Oğuz,Barış,Mahmut,Osman,Recep,Halil,Süleyman,Erkan,Tolga,Onur,"
          "Fatih,Selçuk,Uğur,Gökhan,Levent,Erdem,Orhan",
        s="Yılmaz,Kaya,Demir,Şahin,Çelik,Yıldız,Yıldırım,Öztürk,Aydın,Özdemir,Arslan,Doğan,"
          "Kılıç,Aslan,Çetin,Kara,Koç,Kurt,Özkan,Şimşek,Polat,Özcan,Korkmaz,Çakır,Erdoğan,"
          "Yavuz,Can,Acar,Şen,Aktaş,Güler,Yalçın,Güneş,Bozkurt,Bulut,Keskin,Ünal,Turan,Gül,"
          "Özer,Işık,Kaplan,Avcı,Sarı,Tekin,Taş,Köse,Yüksel,Ateş,Aksoy,Karaca,Uçar,Erdem,Tunç,"
          "Bayram,Akın,Çiftçi,Başaran,Karakaya,Altun,Gündoğdu,Sönmez,Toprak,Durmaz,Bilgin",
        tail=("Kara,Ak,Öz,Er,Gök,Taş,Demir,Yıldız,Ay,Gün,Bal,Kök,Toprak,Çam,Deniz,Alp,Ilgaz,Tuna,"
              "Kızıl,Ulu,Bozdağ,Sarı,Ege,Altın,Çınar",
              "oğlu,soy,han,er,tekin,dağ,türk,can,kan,bey,öz,taş,gil,ay"),
        cities="İstanbul,Ankara,İzmir,Bursa,Antalya,Konya,Adana,Şanlıurfa,Gaziantep,Kocaeli,"
               "Mersin,Diyarbakır,Hatay,Manisa,Kayseri,Samsun,Balıkesir,Kahramanmaraş,Van,Aydın,"
               "Tekirdağ,Sakarya,Denizli,Muğla,Eskişehir,Trabzon,Ordu,Malatya,Erzurum,Çanakkale,"
               "Edirne,Rize,Sinop,Çorum,Kütahya,Afyonkarahisar,Isparta,Uşak,Düzce,Bolu",
    ),
    "IT": dict(
        w=11.0, langs="it", female=0.8, bio="it",
        f="Maria,Anna,Francesca,Laura,Paola,Elena,Giulia,Chiara,Sara,Silvia,Federica,Valentina,"
          "Rosa,Angela,Simona,Daniela,Lucia,Cristina,Teresa,Antonella,Roberta,Patrizia,"
          "Manuela,Barbara,Giovanna,Alessandra,Monica,Raffaella,Stefania,Marina,Loredana,"
          "Carmela,Maria Grazia,Annamaria",
        m="Giuseppe,Giovanni,Antonio,Marco,Francesco,Luca,Alessandro,Roberto,Andrea,Stefano,"
          "Matteo,Lorenzo,Davide,Paolo,Salvatore,Massimo,Fabio,Vincenzo,Claudio,Domenico,"
          "Mario,Pietro,Gianluca,Enrico",
        s="Rossi,Russo,Ferrari,Esposito,Bianchi,Romano,Colombo,Ricci,Marino,Greco,Bruno,Gallo,"
          "Conti,De Luca,Mancini,Costa,Giordano,Rizzo,Lombardi,Moretti,Barbieri,Fontana,"
          "Santoro,Mariani,Rinaldi,Caruso,Ferrara,Galli,Martini,Leone,Longo,Gentile,Martinelli,"
          "Vitale,Lombardo,Serra,Coppola,De Santis,D'Angelo,Marchetti,Parisi,Villa,Conte,"
          "Ferraro,Ferri,Fabbri,Bianco,Marini,Grasso,Valentini,Messina,Sala,De Angelis,Gatti,"
          "Pellegrini,Palumbo,Sanna,Farina,Rizzi,Monti,Cattaneo,Morelli,Amato,Silvestri,Mazza,"
          "Testa,Grassi,Pellegrino,Carbone,Giuliani,D'Amico,Orlando,Benedetti,Cirillo,Piras",
        tail=("Bert,Ross,Mart,Mor,Vent,Pac,Cas,Gal,Ner,Bald,Bern,Cerr,Franc,Guid,Lup,Marc,"
              "Pier,Rug,Sant,Tom,Vald,Zan,Giann,Ors,Corr",
              "ini,etti,elli,one,ucci,ino,oni,atti,olo,esi,aldi"),
        cities="Roma,Milano,Napoli,Torino,Palermo,Genova,Bologna,Firenze,Bari,Catania,Venezia,"
               "Verona,Messina,Padova,Trieste,Brescia,Taranto,Prato,Parma,Modena,"
               "Reggio Calabria,Perugia,Cagliari,Lecce,Sassari,Salerno,Bergamo,Trento,"
               "Pescara,Ancona",
    ),
    "PL": dict(
        w=8.0, langs="pl", female=0.82, bio="pl", fem="pl",
        f="Anna,Katarzyna,Małgorzata,Agnieszka,Barbara,Ewa,Krystyna,Magdalena,Joanna,Monika,"
          "Beata,Dorota,Aleksandra,Justyna,Agata,Bożena,Elżbieta,Iwona,Zofia,Jolanta,Renata,"
          "Grażyna,Marta,Danuta,Karolina,Sylwia,Urszula,Halina,Teresa,Jadwiga,Wioletta",
        m="Piotr,Krzysztof,Andrzej,Tomasz,Paweł,Jan,Michał,Marcin,Łukasz,Grzegorz,Jakub,"
          "Wojciech,Mariusz,Dariusz,Zbigniew,Jerzy,Rafał,Adam,Robert,Sławomir",
        s="Nowak,Kowalski,Wiśniewski,Wójcik,Kowalczyk,Kamiński,Lewandowski,Zieliński,"
          "Szymański,Woźniak,Dąbrowski,Kozłowski,Jankowski,Mazur,Kwiatkowski,Wojciechowski,"
          "Krawczyk,Kaczmarek,Piotrowski,Grabowski,Zając,Pawłowski,Michalski,Król,Wieczorek,"
          "Jabłoński,Wróbel,Nowakowski,Majewski,Olszewski,Stępień,Malinowski,Jaworski,"
          "Adamczyk,Dudek,Nowicki,Pawlak,Górecki,Witkowski,Walczak,Sikora,Baran,Rutkowski,"
          "Michalak,Szewczyk,Ostrowski,Tomaszewski,Pietrzak,Duda,Zalewski,Wróblewski,Jasiński,"
          "Marciniak,Bąk,Sadowski,Zawadzki,Jakubowski,Chmielewski,Włodarczyk,Borkowski,"
          "Czarnecki,Sawicki,Sokołowski,Urbański,Kubiak,Maciejewski,Szczepański,Kucharski,"
          "Wilk,Kalinowski,Lis,Mazurek,Wysocki,Adamski,Kaźmierczak,Wasilewski,Sobczak,"
          "Czerwiński,Andrzejewski,Cieślak,Głowacki,Zakrzewski,Kołodziej,Sikorski,Krajewski,"
          "Gajewski,Szymczak,Szulc,Baranowski,Laskowski,Brzeziński,Makowski,Ziółkowski,"
          "Przybylski",
        tail=("Grzyb,Sobol,Kruk,Bogusz,Kowal,Wilcz,Sosn,Brzoz,Lip,Dęb,Jasz,Wierzb,Żuk,Koz,"
              "Krzyw,Mrocz,Sław,Gołęb,Orzech,Kmieć,Jastrzęb,Czyż,Sroc,Ryb",
              "owski,ewski,iński,czyk,ak,ek,owicz,ała"),
        cities="Warszawa,Kraków,Łódź,Wrocław,Poznań,Gdańsk,Szczecin,Bydgoszcz,Lublin,Białystok,"
               "Katowice,Gdynia,Częstochowa,Radom,Toruń,Kielce,Rzeszów,Gliwice,Olsztyn,"
               "Bielsko-Biała,Opole,Zielona Góra,Płock,Elbląg,Tarnów,Zamość,Nowy Sącz",
    ),
    "ES": dict(
        w=8.0, langs="es", female=0.72, bio="es", double=0.9,
        f="María,Carmen,Ana,Isabel,Laura,Cristina,Marta,Lucía,Pilar,Elena,Rosa,Raquel,Beatriz,"
          "Silvia,Patricia,Montserrat,Nuria,Mercedes,Teresa,Sara,Mónica,Inmaculada,Eva,"
          "María José,María del Carmen,Rocío,Ainhoa,Begoña,Encarnación,Yolanda,Noelia,Sonia",
        m="José,Antonio,Manuel,Francisco,Juan,David,Javier,Jesús,Carlos,Miguel,Pedro,Alejandro,"
          "Rafael,Pablo,Sergio,Jordi,Fernando,Luis,Iñaki,Álvaro,Ángel,Xavier,Óscar,Rubén",
        s="García,Rodríguez,González,Fernández,López,Martínez,Sánchez,Pérez,Gómez,Martín,"
          "Jiménez,Ruiz,Hernández,Díaz,Moreno,Muñoz,Álvarez,Romero,Alonso,Gutiérrez,Navarro,"
          "Torres,Domínguez,Vázquez,Ramos,Gil,Ramírez,Serrano,Blanco,Molina,Morales,Suárez,"
          "Ortega,Delgado,Castro,Ortiz,Rubio,Marín,Sanz,Núñez,Iglesias,Medina,Garrido,Cortés,"
          "Castillo,Santos,Lozano,Guerrero,Cano,Prieto,Méndez,Cruz,Calvo,Gallego,Herrera,"
          "Márquez,León,Peña,Flores,Cabrera,Campos,Vega,Fuentes,Carrasco,Diez,Caballero,Reyes,"
          "Nieto,Aguilar,Pascual,Santana,Herrero,Lorenzo,Montero,Hidalgo,Giménez,Ibáñez,Ferrer,"
          "Durán,Santiago,Benítez,Mora,Vicente,Vargas,Arias,Carmona,Crespo,Román,Pastor,Soto,"
          "Sáez,Velasco,Moya,Soler,Parra,Esteban,Bravo,Gallardo,Rojas,Etxeberria,Puig,Vidal,"
          "Font,Aranburu,Goikoetxea,Castells",
        cities="Madrid,Barcelona,València,Sevilla,Zaragoza,Málaga,Murcia,Palma,Bilbao,Alicante,"
               "Córdoba,Valladolid,Vigo,Gijón,Granada,A Coruña,Vitoria-Gasteiz,Pamplona,"
               "Santander,Salamanca,Cáceres,Logroño,Las Palmas de Gran Canaria,Almería",
    ),
    "RO": dict(
        w=7.0, langs="ro", female=0.78, bio="ro",
        f="Maria,Elena,Ioana,Andreea,Mihaela,Ana,Gabriela,Cristina,Daniela,Alina,Mariana,"
          "Carmen,Simona,Monica,Adriana,Georgiana,Nicoleta,Luminița,Oana,Raluca,Camelia,"
          "Loredana,Ștefania,Roxana,Corina,Irina,Lăcrămioara,Florentina,Anca,Diana",
        m="Ion,Gheorghe,Vasile,Constantin,Mihai,Alexandru,Andrei,Ștefan,Adrian,Florin,Daniel,"
          "Marian,Cristian,Nicolae,Dumitru,Ionuț,Bogdan,Răzvan,Cătălin,Sorin,Costel",
        s="Popa,Popescu,Pop,Radu,Dumitru,Stan,Stoica,Gheorghe,Matei,Ciobanu,Ionescu,Rusu,"
          "Munteanu,Constantin,Moldovan,Marin,Mihai,Florea,Tudor,Ene,Lungu,Dinu,Stanciu,Ilie,"
          "Nistor,Georgescu,Constantinescu,Dobre,Barbu,Cristea,Toma,Sârbu,Anghel,Avram,Lazăr,"
          "Dragomir,Diaconu,Oprea,Vasile,Iordache,Voicu,Ursu,Manea,Neagu,Preda,Dumitrescu,"
          "Bălan,Niculescu,Zamfir,Mocanu,Stoian,Ungureanu,Cozma,Pîrvu,Enache,Nedelcu,Nițu,"
          "Ștefănescu,Bucur,Tănase,Iancu,Costache,Rădulescu,Chirilă,Mitrea,Sandu",
        tail=("Vlăd,Mărin,Căpr,Dragom,Sim,Gavril,Pătr,Tom,Mihăil,Pavel,Bărb,Ghiț,Grigor,Iord,"
              "Lup,Costin,Bran,Vân,Sav,Pet,Cost",
              "escu,eanu,aru,ache,oiu,uț"),
        cities="București,Cluj-Napoca,Timișoara,Iași,Constanța,Craiova,Brașov,Galați,Ploiești,"
               "Oradea,Brăila,Arad,Pitești,Sibiu,Bacău,Târgu Mureș,Baia Mare,Buzău,Botoșani,"
               "Suceava,Focșani,Piatra Neamț,Alba Iulia,Deva",
    ),
    "EL": dict(
        w=6.0, langs="el", female=0.7, bio="el", script="el", latin=0.5,
        f="Μαρία,Ελένη,Αικατερίνη,Βασιλική,Σοφία,Αγγελική,Γεωργία,Δήμητρα,Κωνσταντίνα,"
          "Ευαγγελία,Ιωάννα,Παναγιώτα,Χριστίνα,Αναστασία,Ειρήνη,Δέσποινα,Φωτεινή,Αθανασία,"
          "Σταυρούλα,Χρυσούλα,Παρασκευή,Αλεξάνδρα,Θεοδώρα,Κυριακή,Ευτυχία,Μαρίνα",
        m="Γεώργιος,Ιωάννης,Κωνσταντίνος,Δημήτριος,Νικόλαος,Παναγιώτης,Βασίλειος,Χρήστος,"
          "Αθανάσιος,Μιχαήλ,Ευάγγελος,Σπυρίδων,Αντώνιος,Αναστάσιος,Θεόδωρος,Ανδρέας,Ηλίας,"
          "Εμμανουήλ,Στέφανος,Αλέξανδρος",
        s="Παπαδόπουλος|Παπαδοπούλου,Παπαδάκης|Παπαδάκη,Γεωργίου,Παπαγεωργίου,Οικονόμου,"
          "Βασιλείου,Νικολάου,Ιωάννου,Παπανικολάου,Κωνσταντινίδης|Κωνσταντινίδου,Αθανασίου,"
          "Δημητρίου,Μακρής|Μακρή,Παπαϊωάννου,Χριστοδούλου,Αντωνίου,Παππάς|Παππά,"
          "Ιωαννίδης|Ιωαννίδου,Γεωργιάδης|Γεωργιάδου,Παπαδημητρίου,Καραγιάννης|Καραγιάννη,"
          "Βλάχος|Βλάχου,Αλεξίου,Σταυρόπουλος|Σταυροπούλου,Πετρόπουλος|Πετροπούλου,"
          "Νικολαΐδης|Νικολαΐδου,Κωνσταντίνου,Μιχαηλίδης|Μιχαηλίδου,Δημόπουλος|Δημοπούλου,"
          "Αναγνώστου,Παπαθανασίου,Κυριακίδης|Κυριακίδου,Λαμπρόπουλος|Λαμπροπούλου,Ζαφειρίου,"
          "Σαββίδης|Σαββίδου,Αποστολίδης|Αποστολίδου,Καλογεράκης|Καλογεράκη,Μαυρίδης|Μαυρίδου,"
          "Παναγιωτόπουλος|Παναγιωτοπούλου,Θεοδωρόπουλος|Θεοδωροπούλου,Χατζής|Χατζή,"
          "Ραπτής|Ραπτή,Σπυρόπουλος|Σπυροπούλου,Τζαννετάκης|Τζαννετάκη,Μπακάλης|Μπακάλη,"
          "Ξενάκης|Ξενάκη,Φραγκιαδάκης|Φραγκιαδάκη,Λιάπης|Λιάπη,Ρήγας|Ρήγα,Ζερβός|Ζερβού,"
          "Μουρατίδης|Μουρατίδου,Τσακίρης|Τσακίρη",
        tail=("Σταματ,Μαρκ,Πετρ,Λαμπρ,Γιανν,Κωστ,Μανωλ,Αργυρ,Σιδηρ,Μιχαλ,Φωτ,Αλεξ,Στεφαν,Παυλ,"
              "Βασιλ,Χαραλαμπ,Τριαντ,Καλ",
              "όπουλος|οπούλου,ίδης|ίδου,άκης|άκη,άτος|άτου"),
        cities="Athens|Αθήνα,Thessaloniki|Θεσσαλονίκη,Patras|Πάτρα,Heraklion|Ηράκλειο,"
               "Larissa|Λάρισα,Volos|Βόλος,Ioannina|Ιωάννινα,Chania|Χανιά,Kavala|Καβάλα,"
               "Serres|Σέρρες,Kalamata|Καλαμάτα,Rhodes|Ρόδος,Katerini|Κατερίνη,"
               "Trikala|Τρίκαλα,Lamia|Λαμία,Komotini|Κομοτηνή,Corfu|Κέρκυρα,Xanthi|Ξάνθη",
    ),
    "FR": dict(
        w=6.0, langs="fr", female=0.75, bio="fr", double_hyphen=0.04,
        f="Marie,Nathalie,Isabelle,Sylvie,Catherine,Françoise,Sandrine,Valérie,Christine,"
          "Véronique,Céline,Sophie,Stéphanie,Caroline,Émilie,Aurélie,Hélène,Anne,Julie,Camille,"
          "Élodie,Claire,Laurence,Marie-Christine,Anne-Sophie,Delphine,Virginie,Florence,"
          "Agnès,Brigitte",
        m="Jean,Philippe,Michel,Alain,Patrick,Nicolas,Christophe,Pierre,Laurent,Frédéric,"
          "Stéphane,Olivier,Julien,Sébastien,Thierry,François,Jérôme,Jean-Pierre,Jean-Luc,"
          "Didier,Benoît,Grégory",
        s="Martin,Bernard,Thomas,Petit,Robert,Richard,Durand,Dubois,Moreau,Laurent,Simon,"
          "Michel,Lefebvre,Leroy,Roux,David,Bertrand,Morel,Fournier,Girard,Bonnet,Dupont,"
          "Lambert,Fontaine,Rousseau,Vincent,Muller,Lefèvre,Faure,André,Mercier,Blanc,Guérin,"
          "Boyer,Garnier,Chevalier,François,Legrand,Gauthier,Garcia,Perrin,Robin,Clément,Morin,"
          "Nicolas,Henry,Roussel,Mathieu,Gautier,Masson,Marchand,Duval,Denis,Dumont,Marie,"
          "Lemaire,Noël,Meyer,Dufour,Meunier,Brun,Blanchard,Giraud,Joly,Rivière,Lucas,Brunet,"
          "Gaillard,Barbier,Arnaud,Martinez,Gérard,Roche,Renard,Schmitt,Roy,Leroux,Colin,"
          "Vidal,Caron,Picard,Roger,Fabre,Aubert,Lemoine,Renaud,Dumas,Lacroix,Olivier,"
          "Philippe,Bourgeois,Pierre,Benoît,Rey,Leclerc,Payet,Rolland,Leclercq,Guillaume,"
          "Lecomte,Lopez,Jean,Dupuy,Guillot,Hubert,Berger,Carpentier,Sanchez,Dupuis,Moulin,"
          "Louis,Deschamps,Huet,Vasseur,Perez,Boucher,Fleury,Royer,Klein,Jacquet,Adam,Paris,"
          "Poirier,Marty,Aubry,Guyot,Carré,Charles,Renault,Charpentier,Ménard,Maillard,Baron,"
          "Bertin,Bailly,Hervé,Schneider,Fernandez,Le Gall,Collet,Léger,Bouvier,Julien,"
          "Prévost,Millet,Perrot,Daniel,Le Roux,Cousin,Germain,Breton,Besson,Langlois,Rémy,"
          "Le Goff,Pelletier,Lévêque,Perrier,Leblanc,Barré,Lebrun,Marchal,Weber,Mallet,Hamon,"
          "Boulanger,Jacob,Monnier,Michaud,Rodriguez,Guichard,Gillet,Étienne,Grondin,Poulain,"
          "Tessier,Chevallier,Collin,Chauvin,Da Silva,Bouchet,Gay,Lemaître,Bénard,Humbert,"
          "Reynaud,Antoine,Hoarau,Perret,Barthélemy,Cordier,Pichon,Lejeune,Gilbert,Lamy,"
          "Delaunay,Pasquier,Carlier,Laporte,Benali,Haddad",
        cities="Paris,Marseille,Lyon,Toulouse,Nice,Nantes,Strasbourg,Montpellier,Bordeaux,"
               "Lille,Rennes,Reims,Saint-Étienne,Le Havre,Grenoble,Dijon,Angers,Nîmes,"
               "Clermont-Ferrand,Besançon,Brest,Tours,Limoges,Amiens,Perpignan,Metz,Orléans,"
               "Rouen,Mulhouse,Caen",
    ),
    "PT": dict(
        w=5.0, langs="pt", female=0.75, bio="pt", double=0.8,
        f="Maria,Ana,Paula,Sandra,Carla,Sónia,Cristina,Isabel,Teresa,Marta,Susana,Patrícia,"
          "Fernanda,Helena,Rita,Joana,Filipa,Catarina,Inês,Fátima,Conceição,Margarida,Luísa,"
          "Ana Paula,Maria João,Ana Sofia,Maria José,Graça,Lurdes",
        m="José,João,António,Manuel,Francisco,Carlos,Paulo,Pedro,Luís,Jorge,Rui,Nuno,Miguel,"
          "Ricardo,Tiago,Hugo,Fernando,Sérgio,Vítor,Joaquim,Jorge Manuel,João Pedro",
        s="Silva,Santos,Ferreira,Pereira,Oliveira,Costa,Rodrigues,Martins,Jesus,Sousa,"
          "Fernandes,Gonçalves,Gomes,Lopes,Marques,Alves,Almeida,Ribeiro,Pinto,Carvalho,"
          "Teixeira,Moreira,Correia,Mendes,Nunes,Soares,Vieira,Monteiro,Cardoso,Rocha,Raposo,"
          "Neves,Coelho,Cruz,Cunha,Pires,Ramos,Reis,Simões,Antunes,Matos,Fonseca,Machado,"
          "Araújo,Barbosa,Tavares,Lourenço,Castro,Figueiredo,Azevedo,Freitas,Henriques,"
          "Magalhães,Baptista,Brito,Loureiro,Guerreiro,Faria,Leite,Miranda,Lima,Campos,Sá,Melo,"
          "Abreu,Paiva,Valente,Morais,Duarte,Torres,Quaresma,Bettencourt",
        cities="Lisboa,Porto,Braga,Coimbra,Funchal,Setúbal,Aveiro,Viseu,Évora,Faro,Leiria,"
               "Guimarães,Vila Nova de Gaia,Amadora,Ponta Delgada,Viana do Castelo,Bragança,"
               "Castelo Branco,Santarém,Portalegre",
    ),
    "UA": dict(
        w=4.0, langs="uk", female=0.83, bio="uk", script="uk", latin=0.2, fem="uk",
        f="Олена,Наталія,Тетяна,Світлана,Ірина,Оксана,Людмила,Юлія,Галина,Марія,Ольга,Надія,"
          "Валентина,Анна,Катерина,Вікторія,Алла,Лариса,Інна,Ганна,Любов,Зоряна,Христина,"
          "Тамара,Ніна,Мирослава",
        m="Олександр,Сергій,Андрій,Володимир,Іван,Микола,Віктор,Олег,Юрій,Василь,Богдан,"
          "Тарас,Дмитро,Михайло,Петро,Ігор,Роман,Максим,Степан,Ярослав",
        s="Шевченко,Коваленко,Бондаренко,Ткаченко,Кравченко,Олійник,Шевчук,Коваль,Поліщук,"
          "Бондар,Ткачук,Мельник,Марченко,Руденко,Савченко,Лисенко,Петренко,Мороз,Кравчук,"
          "Павленко,Клименко,Левченко,Харченко,Карпенко,Гончаренко,Романенко,Кушнір,Ковальчук,"
          "Сидоренко,Литвиненко,Мельничук,Приходько,Лук'яненко,Савчук,Швець,Федоренко,"
          "Гуменюк,Давиденко,Юрченко,Симоненко,Білик,Гаврилюк,Левчук,Ковальський,Заїка,"
          "Яковенко,Пономаренко,Бойко,Ковальов,Кузьменко,Захарченко,Тимошенко,Василенко,"
          "Остапенко,Бабенко,Осадчий,Гнатюк,Дорошенко,Єременко",
        tail=("Гриц,Стец,Опанас,Тимч,Климч,Прокоп,Яцен,Головч,Дмитр,Мирон,Ничипор,Гнат",
              "енко,ук,юк,ишин,ів"),
        cities="Kyiv|Київ,Kharkiv|Харків,Odesa|Одеса,Dnipro|Дніпро,Lviv|Львів,"
               "Zaporizhzhia|Запоріжжя,Vinnytsia|Вінниця,Poltava|Полтава,Chernihiv|Чернігів,"
               "Cherkasy|Черкаси,Zhytomyr|Житомир,Sumy|Суми,Rivne|Рівне,"
               "Ivano-Frankivsk|Івано-Франківськ,Ternopil|Тернопіль,Lutsk|Луцьк,"
               "Uzhhorod|Ужгород,Chernivtsi|Чернівці",
    ),
    "DE": dict(
        w=2.5, langs="de", female=0.72, bio="de", double_hyphen=0.03,
        f="Sabine,Andrea,Petra,Claudia,Susanne,Stefanie,Julia,Katrin,Nicole,Anja,Birgit,Maria,"
          "Anna,Christine,Sandra,Melanie,Ute,Kerstin,Monika,Heike",
        m="Thomas,Michael,Andreas,Stefan,Frank,Markus,Christian,Martin,Peter,Jürgen,Matthias,"
          "Jan,Tobias,Sebastian,Uwe,Ralf",
        s="Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Schäfer,"
          "Koch,Bauer,Richter,Klein,Wolf,Schröder,Neumann,Schwarz,Zimmermann,Braun,Krüger,"
          "Hofmann,Hartmann,Lange,Schmitt,Werner,Schmitz,Krause,Meier,Lehmann,Schmid,Schulze,"
          "Maier,Köhler,Herrmann,König,Walter,Mayer,Huber,Kaiser,Fuchs,Peters,Lang,Scholz,"
          "Möller,Weiß,Jung,Hahn,Schubert,Vogel,Friedrich,Keller,Günther,Frank,Berger,Winkler,"
          "Roth,Beck,Lorenz,Baumann,Franke,Albrecht,Schuster,Simon,Ludwig,Böhm,Winter,Kraus,"
          "Martin,Schumacher,Krämer,Vogt,Stein,Jäger,Otto,Sommer,Groß,Seidel,Heinrich,Brandt,"
          "Haas,Schreiber,Graf,Schulte,Dietrich,Ziegler,Kuhn,Kühn,Pohl,Engel,Horn,Busch,"
          "Bergmann,Thomas,Voigt,Sauer,Arnold,Wolff,Pfeiffer,Yılmaz,Nowak",
        cities="Berlin,Hamburg,München,Köln,Frankfurt am Main,Stuttgart,Düsseldorf,Leipzig,"
               "Dortmund,Dresden,Nürnberg,Bremen,Hannover,Münster,Freiburg,Kiel,Rostock,"
               "Göttingen,Würzburg,Regensburg",
    ),
    "AZ": dict(
        w=1.5, langs="ru", female=0.75, fem="az",
        f="Aynur,Günel,Leyla,Nərgiz,Səbinə,Aytən,Könül,Ülviyyə,Sevinc,Lalə,Nigar,Aygün,Gülnar,"
          "Səidə",
        m="Elvin,Rəşad,Tural,Orxan,Elnur,Kamran,Vüqar,Anar,Rauf,Fərid,Elçin,Ramil",
        s="Məmmədov,Əliyev,Həsənov,Hüseynov,Quliyev,İsmayılov,Abbasov,Cəfərov,Rzayev,"
          "Bağırov,Nəsirov,Kərimov,Süleymanov,Musayev,Orucov,Əhmədov,İbrahimov,Babayev,"
          "Rəhimov,Qasımov,Sadıqov,Vəliyev",
        cities="Bakı,Gəncə,Sumqayıt,Mingəçevir,Şəki,Lənkəran,Naxçıvan,Quba,Şirvan,Şamaxı",
    ),
    "HR": dict(
        w=1.5, langs="hr", female=0.8, bio="hr",
        f="Marija,Ana,Ivana,Kata,Mirjana,Snježana,Sanja,Vesna,Martina,Petra,Marina,Jelena,"
          "Maja,Nikolina,Željka,Dubravka",
        m="Ivan,Josip,Marko,Tomislav,Stjepan,Zoran,Ante,Damir,Krešimir,Mario,Dražen,Goran",
        s="Horvat,Kovačević,Babić,Marić,Jurić,Novak,Kovačić,Knežević,Vuković,Marković,"
          "Petrović,Matić,Tomić,Pavlović,Kovač,Božić,Blažević,Grgić,Pavić,Radić,Perić,"
          "Filipović,Šarić,Lovrić,Vidović,Perković,Popović,Bošnjak,Jukić,Barišić",
        cities="Zagreb,Split,Rijeka,Osijek,Zadar,Pula,Slavonski Brod,Karlovac,Varaždin,Šibenik,"
               "Dubrovnik,Čakovec,Vukovar",
    ),
    "BG": dict(
        w=1.5, langs="bg", female=0.85, bio="bg", script="bg", latin=0.2, fem="bg",
        f="Мария,Иванка,Елена,Йорданка,Пенка,Даниела,Десислава,Гергана,Милена,Силвия,"
          "Румяна,Цветелина,Надежда,Петя,Анелия,Красимира,Маргарита",
        m="Георги,Иван,Димитър,Николай,Петър,Христо,Стоян,Тодор,Красимир,Васил,Пламен,Стефан",
        s="Иванов,Георгиев,Димитров,Петров,Николов,Христов,Стоянов,Тодоров,Илиев,Василев,"
          "Атанасов,Петков,Ангелов,Колев,Йорданов,Маринов,Попов,Стефанов,Михайлов,Костов,"
          "Кръстев,Добрев,Желязков,Симеонов,Цветков,Славов,Найденов",
        cities="Sofia|София,Plovdiv|Пловдив,Varna|Варна,Burgas|Бургас,Ruse|Русе,"
               "Stara Zagora|Стара Загора,Pleven|Плевен,Veliko Tarnovo|Велико Търново,"
               "Shumen|Шумен,Blagoevgrad|Благоевград",
    ),
    "TN": dict(
        w=1.3, langs="ar,fr", female=0.6,
        f="Amel,Leila,Sonia,Imen,Nadia,Salma,Rim,Olfa,Hela,Asma,Sana,Ines,Emna,Wafa",
        m="Mohamed,Ahmed,Ali,Slim,Karim,Mehdi,Sami,Nabil,Hatem,Walid,Anis,Hichem",
        s="Ben Ali,Trabelsi,Ben Salah,Gharbi,Hammami,Jebali,Ayari,Mejri,Dridi,Sassi,Ben Ahmed,"
          "Chaabane,Khemiri,Bouazizi,Jlassi,Zouari,Ferjani,Mansouri,Ben Amor,Karoui,Baccouche,"
          "Ben Youssef,Masmoudi,Chebbi",
        cities="Tunis,Sfax,Sousse,Kairouan,Bizerte,Gabès,Ariana,Gafsa,Monastir,Nabeul,"
               "Kasserine,Médenine",
    ),
    "CZ": dict(
        w=1.2, langs="cs", female=0.8, bio="cs", fem="cz",
        f="Jana,Eva,Hana,Anna,Lenka,Kateřina,Věra,Lucie,Alena,Petra,Veronika,Martina,"
          "Jaroslava,Michaela,Zuzana,Ludmila,Markéta",
        m="Jiří,Jan,Petr,Josef,Pavel,Martin,Tomáš,Jaroslav,Miroslav,Zdeněk,Václav,Michal",
        s="Novák,Svoboda,Novotný,Dvořák,Černý,Procházka,Kučera,Veselý,Horák,Němec,Marek,"
          "Pospíšil,Pokorný,Hájek,Král,Jelínek,Růžička,Beneš,Fiala,Sedláček,Doležal,Zeman,"
          "Kolář,Navrátil,Čermák,Vaněk|Vaňková,Urban,Blažek,Kříž,Kovář,Bartoš,Vlček,Polák,Musil,"
          "Kopecký,Šimek,Konečný,Malý,Holub,Štěpánek",
        cities="Praha,Brno,Ostrava,Plzeň,Liberec,Olomouc,České Budějovice,Hradec Králové,"
               "Ústí nad Labem,Pardubice,Zlín,Jihlava",
    ),
    "SK": dict(
        w=1.2, langs="sk", female=0.82, bio="sk", fem="sk",
        f="Mária,Anna,Zuzana,Katarína,Eva,Jana,Martina,Lucia,Monika,Ivana,Andrea,Ľubica",
        m="Peter,Ján,Jozef,Martin,Michal,Marek,Tomáš,Juraj,Milan,Ľubomír",
        s="Horváth,Kováč,Varga,Tóth,Nagy,Baláž,Szabó,Molnár,Balog,Lukáč,Novák,Kollár,Németh,"
          "Oravec,Polák,Šimko,Kráľ,Hudák,Mikuláš,Kováčik,Šebo,Hrivnák,Ďurica,Žilinský,Kučera,"
          "Bartoš",
        cities="Bratislava,Košice,Prešov,Žilina,Nitra,Banská Bystrica,Trnava,Trenčín,Martin,"
               "Poprad",
    ),
    "GE": dict(
        w=1.2, langs="ka", female=0.85,
        f="Nino,Tamar,Ketevan,Maia,Natia,Eka,Nana,Mariam,Lela,Manana,Tinatin,Salome,Irma",
        m="Giorgi,Davit,Levan,Irakli,Zurab,Nikoloz,Lasha,Tornike,Giga,Vakhtang,Mamuka",
        s="Beridze,Kapanadze,Gelashvili,Maisuradze,Giorgadze,Lomidze,Tsiklauri,Bolkvadze,"
          "Kvaratskhelia,Nozadze,Khutsishvili,Abashidze,Mikeladze,Tsertsvadze,Gogoladze,"
          "Kiknadze,Chikhladze,Janelidze,Mchedlishvili,Jorbenadze,Shengelia,Gvenetadze,"
          "Gogiashvili,Natsvlishvili",
        cities="Tbilisi,Kutaisi,Batumi,Rustavi,Zugdidi,Gori,Poti,Telavi",
    ),
    "RS": dict(
        w=1.2, langs="sr", female=0.78, script="sr", latin=0.5,
        f="Марија,Јелена,Милица,Ана,Драгана,Снежана,Ивана,Јована,Тијана,Гордана,Весна,Бојана,"
          "Наташа,Славица",
        m="Никола,Марко,Милан,Стефан,Лазар,Душан,Александар,Дејан,Зоран,Горан,Небојша,"
          "Владимир,Милош",
        s="Јовановић,Петровић,Николић,Марковић,Ђорђевић,Стојановић,Илић,Станковић,Павловић,"
          "Милошевић,Тодоровић,Ђурић,Стевановић,Ивановић,Поповић,Милетић,Радовановић,Симић,"
          "Костић,Лукић,Живковић,Митровић,Ристић,Пантић,Обрадовић,Вуковић,Симоновић,Лазић,"
          "Марјановић,Радосављевић,Миленковић,Ћирић,Савић,Којић,Глишић",
        cities="Beograd|Београд,Novi Sad|Нови Сад,Niš|Ниш,Kragujevac|Крагујевац,"
               "Subotica|Суботица,Zrenjanin|Зрењанин,Pančevo|Панчево,Čačak|Чачак,"
               "Kraljevo|Краљево,Smederevo|Смедерево",
    ),
    "JO": dict(
        w=1.2, langs="ar", female=0.65,
        f="Rana,Lina,Hala,Dana,Suha,Reem,Noor,Ruba,Maysa,Hiba,Abeer,Samar",
        m="Mohammad,Ahmad,Omar,Khaled,Ali,Yousef,Hamzeh,Ibrahim,Mahmoud,Saleh,Zaid,Bassam",
        s="Al-Khatib,Haddad,Al-Masri,Abu Zeid,Al-Zoubi,Obeidat,Al-Momani,Khasawneh,Bataineh,"
          "Al-Shami,Nasser,Hijazi,Al-Qudah,Shdeifat,Al-Rousan,Tarawneh,Al-Majali,Abbadi,"
          "Mansour,Saleh",
        cities="Amman,Zarqa,Irbid,Russeifa,Aqaba,Madaba,Jerash,Salt,Mafraq,Karak",
    ),
    "BE": dict(
        w=1.0, langs="nl,fr", female=0.75, bio="nl|fr",
        f="Marie,Nathalie,Sophie,Isabelle,An,Els,Katrien,Sarah,Caroline,Griet,Véronique,Inge,"
          "Lieve,Ann",
        m="Jan,Pieter,Luc,Marc,Koen,Philippe,Bart,Tom,Olivier,Thomas,Wim,Pierre",
        s="Peeters,Janssens,Maes,Jacobs,Mertens,Willems,Claes,Goossens,Wouters,De Smet,Dubois,"
          "Lambert,Martin,Dupont,Hermans,Aerts,Leclercq,Vermeulen,Van Damme,Desmet,Lemaire,"
          "De Vos,Michiels,Declercq,Renard,Pauwels,Dumont,Simon,Laurent,Claessens",
        cities="Brussel,Antwerpen,Gent,Charleroi,Liège,Brugge,Namur,Leuven,Mons,Hasselt",
    ),
    "MA": dict(
        w=1.0, langs="ar,fr", female=0.55,
        f="Fatima,Khadija,Naima,Samira,Meryem,Hanane,Loubna,Siham,Nadia,Asmae,Salma,Imane",
        m="Mohamed,Youssef,Abdellah,Rachid,Karim,Hicham,Said,Mustapha,Hamza,Mehdi,Omar,Anas",
        s="Alaoui,El Idrissi,Benali,Bennani,Tazi,El Amrani,Berrada,Chraibi,El Fassi,Benjelloun,"
          "Ouali,Lahlou,Ait Ahmed,Bouazza,El Khattabi,Ziani,Cherkaoui,Hassani,Mansouri,Amrani,"
          "Benkirane,Boukhari,El Ouazzani,Naciri,Slaoui",
        cities="Casablanca,Rabat,Fès,Marrakech,Tanger,Agadir,Meknès,Oujda,Kénitra,Tétouan",
    ),
    "HU": dict(
        w=0.8, langs="hu", female=0.8, surname_first=0.6,
        f="Mária,Erzsébet,Katalin,Ilona,Éva,Anna,Zsuzsanna,Judit,Ágnes,Krisztina,Andrea,Erika,"
          "Mónika,Edit,Szilvia,Tünde",
        m="László,István,József,János,Zoltán,Sándor,Gábor,Ferenc,Attila,Péter,Tamás,Zsolt",
        s="Nagy,Kovács,Tóth,Szabó,Horváth,Varga,Kiss,Molnár,Németh,Farkas,Balogh,Papp,Takács,"
          "Juhász,Lakatos,Mészáros,Oláh,Simon,Rácz,Fekete,Szilágyi,Török,Fehér,Balázs,Gál,Kis,"
          "Szűcs,Kocsis,Orsós,Pintér,Fodor,Szalai,Sipos,Magyar,Lukács,Gulyás,Bíró,Király,"
          "Katona,László,Jakab,Bogdán,Balog,Sándor,Boros,Fazekas,Kelemen,Antal,Orosz,Somogyi,"
          "Fülöp,Veres,Vincze,Hegedűs,Deák,Budai,Pap,Bálint,Pál,Illés,Vörös,Szőke,Fábián,Vass,"
          "Lengyel,Bognár,Bakos,Szekeres",
        cities="Budapest,Debrecen,Szeged,Miskolc,Pécs,Győr,Nyíregyháza,Kecskemét,"
               "Székesfehérvár,Szombathely,Eger",
    ),
    "AL": dict(
        w=0.8, langs="sq", female=0.7,
        f="Elona,Anila,Mirela,Entela,Blerina,Arta,Jonida,Valbona,Lindita,Ermira,Klodiana,Rovena",
        m="Arben,Gentian,Ilir,Besnik,Fatos,Altin,Erion,Dritan,Agim,Ledio",
        s="Hoxha,Shehu,Dervishi,Leka,Gjoka,Kola,Marku,Çela,Hysa,Prifti,Bajraktari,Muça,Tafa,"
          "Meta,Duka,Rama,Xhafa,Sinani,Lleshi,Gjini,Qose,Zeqiri",
        cities="Tiranë,Durrës,Vlorë,Shkodër,Elbasan,Korçë,Fier,Berat",
    ),
    "EG": dict(
        w=0.8, langs="ar", female=0.6,
        f="Fatma,Mona,Nadia,Heba,Amira,Rania,Nermeen,Yasmin,Dina,Sara,Aya,Mariam,Shaimaa,Doaa",
        m="Mohamed,Ahmed,Mahmoud,Mostafa,Khaled,Hany,Tamer,Amr,Hassan,Ibrahim,Omar,Sherif,"
          "Youssef,Karim",
        s="Mohamed,Ahmed,Hassan,Ali,Ibrahim,Mahmoud,Mostafa,Abdel Rahman,El Sayed,Abdelaziz,"
          "Fathy,Hussein,Salem,Gamal,Saad,Mansour,Youssef,Soliman,Farouk,Khalil,El Masry,"
          "Shehata,Ragab,Zaki,Naguib,Badawi,Osman,Fouad,Hamdy,Nasser",
        cities="Cairo,Alexandria,Giza,Mansoura,Tanta,Asyut,Luxor,Aswan,Zagazig,Ismailia",
    ),
    "LT": dict(
        w=0.8, langs="lt", female=0.88, fem="lt",
        f="Rasa,Jurgita,Daiva,Vilma,Kristina,Inga,Rūta,Laima,Asta,Jolanta,Aušra,Dalia,Lina,"
          "Loreta,Vida",
        m="Tomas,Mindaugas,Darius,Andrius,Vytautas,Jonas,Gintaras,Arūnas,Saulius,Rimantas,"
          "Algirdas",
        s="Kazlauskas,Jankauskas,Petrauskas,Stankevičius,Vasiliauskas,Žukauskas,Butkus,"
          "Paulauskas,Urbonas,Kavaliauskas,Baranauskas,Pocius,Navickas,Sakalauskas,Ramanauskas,"
          "Jakubauskas,Mikalauskas,Šimkus,Vaitkus,Lukoševičius,Rimkus,Kairys,Kriaučiūnas,"
          "Adomaitis,Petraitis,Morkūnas,Bieliauskas,Žilinskas",
        cities="Vilnius,Kaunas,Klaipėda,Šiauliai,Panevėžys,Alytus,Marijampolė,Mažeikiai,Utena",
    ),
    "AT": dict(
        w=0.7, langs="de", female=0.72, bio="de",
        f="Anna,Maria,Sabine,Claudia,Andrea,Elisabeth,Barbara,Katharina,Christina,Monika,Petra,"
          "Julia,Birgit",
        m="Michael,Thomas,Andreas,Markus,Wolfgang,Stefan,Christian,Martin,Johann,Josef,Peter,"
          "Florian",
        s="Gruber,Huber,Bauer,Wagner,Müller,Pichler,Steiner,Moser,Mayer,Hofer,Leitner,Berger,"
          "Fuchs,Eder,Fischer,Schmid,Winkler,Weber,Schwarz,Maier,Schneider,Reiter,Mayr,Schmidt,"
          "Wimmer,Egger,Brunner,Lang,Baumgartner,Auer,Binder,Lechner,Wolf,Wallner,Aigner,Ebner,"
          "Koller,Lehner,Haas,Schuster",
        cities="Wien,Graz,Linz,Salzburg,Innsbruck,Klagenfurt,Villach,Wels,St. Pölten,Dornbirn",
    ),
    "BA": dict(
        w=0.6, langs="hr,sr", female=0.72, bio="hr",
        f="Amra,Lejla,Emina,Azra,Selma,Jasmina,Sanela,Merima,Aida,Dijana,Snježana,Maja",
        m="Amir,Adnan,Haris,Emir,Nermin,Dragan,Mirza,Kenan,Zoran,Edin",
        s="Hodžić,Hadžić,Čengić,Delić,Kovačević,Begić,Mehmedović,Hasanović,Husić,Imamović,"
          "Salihović,Babić,Jukić,Marić,Ibrahimović,Omerović,Šabić,Mujić,Alić,Karić,Petrović,"
          "Bešlić",
        cities="Sarajevo,Banja Luka,Tuzla,Zenica,Mostar,Bihać,Brčko,Travnik",
    ),
    "SI": dict(
        w=0.6, langs="sl", female=0.82,
        f="Marija,Ana,Maja,Irena,Mojca,Mateja,Nataša,Barbara,Andreja,Petra,Katja,Špela,Tjaša,"
          "Urška",
        m="Franc,Janez,Marko,Andrej,Luka,Matej,Jože,Peter,Tomaž,Boštjan,Gregor,Primož,Rok",
        s="Novak,Horvat,Kovačič,Krajnc,Zupančič,Potočnik,Kovač,Mlakar,Kos,Vidmar,Golob,Turk,"
          "Kralj,Božič,Korošec,Bizjak,Zupan,Hribar,Kotnik,Kavčič,Rozman,Kastelic,Oblak,Petek,"
          "Žagar,Hočevar,Kolar,Košir,Koren,Klemenčič,Zajc,Knez,Medved,Zupanc,Petrič,Pirc,"
          "Hrovat,Pavlič,Kuhar,Lah,Uršič,Tomažič,Zorko,Sever,Erjavec,Babič,Jereb,Jerman,Majcen,"
          "Pušnik",
        cities="Ljubljana,Maribor,Celje,Kranj,Koper,Velenje,Novo Mesto,Ptuj,Nova Gorica,"
               "Murska Sobota",
    ),
    "NL": dict(
        w=0.6, langs="nl", female=0.7, bio="nl",
        f="Maria,Anna,Johanna,Linda,Monique,Sandra,Ingrid,Marieke,Anouk,Femke,Esther,Petra,"
          "Karin,Saskia",
        m="Jan,Johannes,Peter,Hendrik,Cornelis,Pieter,Willem,Dirk,Mark,Bas,Joost,Ruud,Sander,"
          "Maarten",
        s="De Jong,Jansen,De Vries,Van den Berg,Van Dijk,Bakker,Janssen,Visser,Smit,Meijer,"
          "De Boer,Mulder,De Groot,Bos,Vos,Peters,Hendriks,Van Leeuwen,Dekker,Brouwer,De Wit,"
          "Dijkstra,Smits,De Graaf,Van der Meer,Van der Linden,Kok,Jacobs,De Haan,Vermeulen,"
          "Van den Heuvel,Van der Veen,Van den Broek,De Bruijn,De Bruin,Van der Heijden,"
          "Schouten,Van Beek,Willems,Van Vliet,Van de Ven,Hoekstra,Maas,Verhoeven,Koster,"
          "Van Dam,Van der Wal,Prins,Blom,Huisman",
        cities="Amsterdam,Rotterdam,Den Haag,Utrecht,Eindhoven,Groningen,Tilburg,Almere,Breda,"
               "Nijmegen,Haarlem,Arnhem,Zwolle,Leiden,Maastricht",
    ),
    "SE": dict(
        w=0.6, langs="sv", female=0.75,
        f="Anna,Maria,Karin,Eva,Sara,Lena,Kristina,Emma,Malin,Elin,Johanna,Ingrid,Annika,"
          "Linnéa",
        m="Lars,Anders,Johan,Per,Karl,Erik,Mikael,Peter,Jan,Magnus,Fredrik,Björn,Henrik,"
          "Mattias",
        s="Andersson,Johansson,Karlsson,Nilsson,Eriksson,Larsson,Olsson,Persson,Svensson,"
          "Gustafsson,Pettersson,Jonsson,Jansson,Hansson,Bengtsson,Jönsson,Lindberg,Jakobsson,"
          "Magnusson,Olofsson,Lindström,Lindqvist,Lindgren,Berg,Axelsson,Bergström,Lundberg,"
          "Lundgren,Lind,Lundqvist,Mattsson,Berglund,Fredriksson,Sandberg,Henriksson,"
          "Forsberg,Sjöberg,Wallin,Engström,Eklund,Danielsson,Lundin,Håkansson,Björk,Bergman,"
          "Gunnarsson,Holm,Wikström,Samuelsson,Isaksson,Fransson,Bergqvist,Nyström,Holmberg,"
          "Arvidsson,Löfgren,Söderberg,Nyberg,Blomqvist,Claesson,Nordström,Mårtensson,"
          "Lundström,Viklund,Björklund,Eliasson,Pålsson,Berggren,Sandström,Nordin,Ström,Åberg,"
          "Hermansson,Ekström,Holmgren,Sundberg,Hedlund,Dahlberg,Hellström,Sjögren,Falk,Öberg",
        cities="Stockholm,Göteborg,Malmö,Uppsala,Västerås,Örebro,Linköping,Helsingborg,"
               "Jönköping,Norrköping,Lund,Umeå,Gävle,Borås,Södertälje,Eskilstuna,Karlstad,"
               "Växjö,Luleå",
    ),
    "FI": dict(
        w=0.6, langs="fi", female=0.78,
        f="Anne,Tuula,Päivi,Riitta,Leena,Sari,Minna,Tiina,Johanna,Pirjo,Satu,Hanna,Kaisa,"
          "Marja",
        m="Juha,Timo,Matti,Mikko,Jari,Kari,Antti,Pekka,Markku,Jukka,Heikki,Mika",
        s="Korhonen,Virtanen,Mäkinen,Nieminen,Mäkelä,Hämäläinen,Laine,Heikkinen,Koskinen,"
          "Järvinen,Lehtonen,Lehtinen,Saarinen,Salminen,Heinonen,Niemi,Heikkilä,Kinnunen,"
          "Salonen,Turunen,Salo,Laitinen,Tuominen,Rantanen,Karjalainen,Jokinen,Mattila,"
          "Savolainen,Lahtinen,Ahonen",
        cities="Helsinki,Espoo,Tampere,Vantaa,Oulu,Turku,Jyväskylä,Lahti,Kuopio,Pori,Joensuu,"
               "Rovaniemi",
    ),
    "MK": dict(
        w=0.6, langs="mk", female=0.75, script="mk", latin=0.2, fem="mk",
        borrow=("AL", 0.2),
        f="Марија,Елена,Билјана,Снежана,Весна,Жаклина,Александра,Ана,Јасмина,Ивана,Катерина,"
          "Емилија",
        m="Александар,Горан,Зоран,Дејан,Никола,Игор,Владимир,Марко,Драган,Бојан,Стефан",
        s="Стојановски,Николовски,Трајковски,Јовановски,Петровски,Димитровски,Илиевски,"
          "Ристовски,Стојанов,Костовски,Митревски,Јованов,Андоновски,Атанасов,Георгиевски,"
          "Велковски,Петров,Наумовски,Спасовски,Ангеловски",
        cities="Skopje|Скопје,Bitola|Битола,Kumanovo|Куманово,Prilep|Прилеп,Tetovo|Тетово,"
               "Ohrid|Охрид,Veles|Велес,Štip|Штип,Strumica|Струмица",
    ),
    "MD": dict(
        w=0.6, langs="ro,ru", female=0.85, bio="ro",
        f="Maria,Elena,Natalia,Ana,Tatiana,Svetlana,Olga,Ludmila,Aurelia,Valentina,Galina,"
          "Cristina,Diana",
        m="Ion,Vasile,Sergiu,Andrei,Nicolae,Gheorghe,Victor,Alexandru,Igor,Dumitru,Vladimir,"
          "Mihai",
        s="Rusu,Ceban,Ciobanu,Țurcanu,Sârbu,Lungu,Cojocaru,Munteanu,Rotaru,Bivol,Popa,Guțu,"
          "Roșca,Moraru,Caraman,Cebotari,Melnic,Botnari,Railean,Bejenari,Ursu,Grosu,Croitoru,"
          "Balan",
        cities="Chișinău,Bălți,Tiraspol,Bender,Cahul,Ungheni,Soroca,Orhei,Comrat",
    ),
    "AM": dict(
        w=0.5, langs="hy", female=0.85,
        f="Anahit,Lusine,Armine,Gayane,Narine,Hasmik,Mariam,Ani,Susanna,Karine,Lilit",
        m="Armen,Hayk,Davit,Tigran,Aram,Gor,Vahe,Karen,Artur,Ashot",
        s="Grigoryan,Hakobyan,Sargsyan,Harutyunyan,Hovhannisyan,Khachatryan,Petrosyan,"
          "Vardanyan,Karapetyan,Gevorgyan,Mkrtchyan,Poghosyan,Avetisyan,Ghazaryan,Manukyan,"
          "Simonyan,Martirosyan,Galstyan,Abrahamyan,Stepanyan",
        cities="Yerevan,Gyumri,Vanadzor,Vagharshapat,Abovyan,Hrazdan,Kapan,Dilijan",
    ),
    "IE": dict(
        w=0.5, langs="en,ga", female=0.75,
        f="Mary,Siobhán,Aoife,Sinéad,Niamh,Ciara,Orla,Catherine,Áine,Deirdre,Claire,Sarah,Emma,"
          "Gráinne",
        m="John,Patrick,Seán,Michael,Declan,Ciarán,Eoin,Pádraig,Brian,Conor,Liam,Dónal",
        s="Murphy,Kelly,O'Sullivan,Walsh,Smith,O'Brien,Byrne,Ryan,O'Connor,O'Neill,O'Reilly,"
          "Doyle,McCarthy,Gallagher,O'Doherty,Kennedy,Lynch,Murray,Quinn,Moore,McLoughlin,"
          "O'Carroll,Connolly,Daly,O'Connell,Wilson,Dunne,Brennan,Burke,Collins,Campbell,Clarke,"
          "Johnston,Hughes,Farrell,Fitzgerald,Brown,Martin,Maguire,Nolan,Flynn,Thompson,"
          "Ó Súilleabháin,Mac Gearailt",
        cities="Dublin,Cork,Limerick,Galway,Waterford,Drogheda,Kilkenny,Sligo,Athlone,Tralee",
    ),
    "CY": dict(
        w=0.5, langs="el", female=0.75, bio="el", script="el", latin=0.5,
        f="Μαρία,Ελένη,Άντρη,Χριστίνα,Παναγιώτα,Γεωργία,Ανδρούλα,Δέσποινα,Ευτυχία,Στέλλα,"
          "Κυριακή,Μαρίνα",
        m="Ανδρέας,Γιώργος,Χαράλαμπος,Κωνσταντίνος,Νίκος,Μιχάλης,Χρίστος,Σάββας,Παναγιώτης,"
          "Στέλιος,Λοΐζος",
        s="Γεωργίου,Χαραλάμπους,Ιωάννου,Κωνσταντίνου,Παπαδόπουλος|Παπαδοπούλου,"
          "Χριστοδούλου,Νικολάου,Αντωνίου,Σάββα,Λοΐζου,Ευαγγέλου,Παναγιώτου,Μιχαήλ,"
          "Χατζηγεωργίου,Πέτρου,Κυριάκου,Ζαχαρίου,Στυλιανού,Θεοδώρου,Ηλία",
        cities="Nicosia|Λευκωσία,Limassol|Λεμεσός,Larnaca|Λάρνακα,Paphos|Πάφος,"
               "Paralimni|Παραλίμνι",
    ),
    "LV": dict(
        w=0.5, langs="lv,ru", female=0.88, fem="lv",
        f="Anna,Kristīne,Inese,Ilze,Līga,Linda,Dace,Anita,Inga,Sandra,Ieva,Baiba",
        m="Jānis,Andris,Mārtiņš,Edgars,Aivars,Juris,Māris,Pēteris,Raimonds,Kārlis",
        s="Bērziņš,Kalniņš,Ozoliņš,Jansons,Ozols,Liepiņš,Krūmiņš,Balodis,Eglītis,Zariņš,"
          "Pētersons,Vītols,Kļaviņš,Kārkliņš,Vanags,Āboliņš,Cīrulis,Ivanovs,Lapiņš,Zālītis,"
          "Siliņš,Lācis,Grīnbergs,Dumpis",
        cities="Rīga,Daugavpils,Liepāja,Jelgava,Jūrmala,Ventspils,Rēzekne,Valmiera",
    ),
    "LB": dict(
        w=0.4, langs="ar,fr,en", female=0.75,
        f="Rita,Maya,Nadine,Rima,Lara,Carla,Mira,Zeina,Hiba,Rola,Nour,Joelle",
        m="Georges,Elie,Karim,Ziad,Rami,Charbel,Antoine,Ahmad,Fadi,Tony,Hassan,Walid",
        s="Khoury,Haddad,Saade,Nasr,Gemayel,Aoun,Karam,Saab,Hajj,Chamoun,Frangieh,Hamdan,"
          "Khalil,Harb,Sleiman,Daher,Mansour,Abi Nader,Tannous,Fares",
        cities="Beirut,Tripoli,Sidon,Tyre,Zahlé,Jounieh,Byblos,Baalbek",
    ),
    "EE": dict(
        w=0.4, langs="et,ru", female=0.85,
        f="Anne,Tiina,Kadri,Kristiina,Maarika,Marika,Liis,Triin,Katrin,Eve,Merike,Piret,Helen",
        m="Andres,Toomas,Jaan,Tõnu,Margus,Rein,Priit,Mart,Indrek,Peeter",
        s="Tamm,Saar,Sepp,Mägi,Kask,Kukk,Rebane,Ilves,Pärn,Koppel,Lepik,Oja,Kuusk,Raudsepp,"
          "Vaher,Kallas,Põder,Kõiv,Lõhmus,Jõgi,Laur,Luik,Rätsep,Karu",
        cities="Tallinn,Tartu,Narva,Pärnu,Kohtla-Järve,Viljandi,Rakvere,Võru,Haapsalu",
    ),
    "DK": dict(
        w=0.3, langs="da", female=0.7,
        f="Anne,Kirsten,Mette,Hanne,Susanne,Lene,Maria,Marianne,Camilla,Louise,Pia,Helle",
        m="Peter,Jens,Lars,Michael,Henrik,Søren,Thomas,Jesper,Niels,Rasmus,Mads",
        s="Nielsen,Jensen,Hansen,Pedersen,Andersen,Christensen,Larsen,Sørensen,Rasmussen,"
          "Jørgensen,Petersen,Madsen,Kristensen,Olsen,Thomsen,Christiansen,Poulsen,Johansen,"
          "Møller,Mortensen,Knudsen,Jakobsen,Mikkelsen,Frederiksen,Laursen,Holm,Schmidt,"
          "Østergaard,Kjær,Dahl",
        cities="København,Aarhus,Odense,Aalborg,Esbjerg,Randers,Kolding,Vejle,Horsens,Roskilde",
    ),
    "NO": dict(
        w=0.3, langs="no", female=0.72,
        f="Anne,Inger,Kari,Marit,Ingrid,Liv,Hilde,Silje,Kristin,Ragnhild,Ingvild,Nina",
        m="Jan,Per,Bjørn,Ole,Lars,Kjell,Knut,Arne,Svein,Thomas,Hans,Geir,Espen",
        s="Hansen,Johansen,Olsen,Larsen,Andersen,Pedersen,Nilsen,Kristiansen,Jensen,Karlsen,"
          "Johnsen,Pettersen,Eriksen,Berg,Haugen,Hagen,Johannessen,Andreassen,Jacobsen,Dahl,"
          "Jørgensen,Halvorsen,Henriksen,Lund,Sørensen,Jakobsen,Moen,Gundersen,Iversen,Strand,"
          "Solberg,Svendsen,Eide,Knutsen,Martinsen,Paulsen,Bakken,Kristoffersen,Mathisen,Lie,"
          "Amundsen,Nguyen,Rasmussen,Lunde,Solheim,Berge,Moe,Nygård,Bakke,Sæther,Aas,Myhre,"
          "Haugland,Sandvik,Rønning,Næss,Hovland",
        cities="Oslo,Bergen,Trondheim,Stavanger,Drammen,Fredrikstad,Kristiansand,Tromsø,"
               "Sandnes,Ålesund,Bodø",
    ),
    "ME": dict(
        w=0.2, langs="sr", female=0.72, bio="hr",
        f="Milica,Jelena,Marija,Ana,Ivana,Tijana,Dragana,Snežana,Jovana,Vesna",
        m="Marko,Nikola,Milan,Stefan,Luka,Petar,Dejan,Vladimir,Milo,Danilo",
        s="Popović,Vujović,Radović,Vuković,Marković,Đukanović,Kovačević,Jovanović,Đurović,"
          "Perović,Bulatović,Šćepanović,Knežević,Vujošević,Nikolić,Pejović,Lakić,Raičević",
        cities="Podgorica,Nikšić,Herceg Novi,Pljevlja,Bijelo Polje,Cetinje,Bar,Budva,Kotor",
    ),
    "MT": dict(
        w=0.15, langs="mt,en", female=0.75,
        f="Maria,Carmen,Rita,Doris,Josephine,Marthese,Claire,Roberta,Charlene",
        m="Joseph,John,Mario,Carmel,Charles,Paul,Anthony,Kurt,Mark",
        s="Borg,Camilleri,Vella,Farrugia,Zammit,Galea,Micallef,Grech,Attard,Spiteri,Azzopardi,"
          "Mifsud,Pace,Agius,Caruana,Cassar,Sammut,Debono,Schembri,Abela,Xuereb,Saliba,"
          "Buttigieg,Muscat,Fenech",
        cities="Valletta,Birkirkara,Mosta,Qormi,Żabbar,Sliema,San Pawl il-Baħar,Żejtun,Rabat,"
               "Victoria",
    ),
    "IS": dict(
        w=0.1, langs="is", female=0.75, patronymic=True,
        f="Guðrún,Anna,Sigríður,Kristín,Margrét,Helga,Sigrún,Ingibjörg,Jóhanna,Þórunn,"
          "Ragnheiður,Edda",
        m="Jón,Sigurður,Guðmundur,Gunnar,Ólafur,Einar,Kristján,Magnús,Stefán,Þór,Björn,"
          "Haraldur",
        # fathers' names in the genitive, + "son" / "dóttir"
        s="Jóns,Sigurðar,Guðmundar,Gunnars,Ólafs,Einars,Kristjáns,Magnúsar,Stefáns,Þórs,"
          "Björns,Haralds,Árna,Péturs,Helga,Páls,Þorsteins,Halldórs,Ragnars,Eiríks",
        cities="Reykjavík,Kópavogur,Hafnarfjörður,Akureyri,Reykjanesbær,Garðabær,Mosfellsbær,"
               "Árborg",
    ),
    "LU": dict(
        w=0.05, langs="fr,de", female=0.72, bio="fr",
        f="Marie,Anne,Sandra,Carole,Nathalie,Claudine,Martine,Sylvie",
        m="Jean,Marc,Claude,Paul,Luc,Patrick,Michel,Georges",
        s="Schmit,Muller,Weber,Wagner,Hoffmann,Thill,Schmitz,Klein,Reuter,Kieffer,Schroeder,"
          "Welter,Meyer,Majerus,Kremer,Goergen,Becker,Ries,Hansen,Da Silva",
        cities="Luxembourg,Esch-sur-Alzette,Differdange,Dudelange,Ettelbruck,Diekirch",
    ),
    "LI": dict(
        w=0.02, langs="de", female=0.7, bio="de",
        f="Maria,Sandra,Andrea,Monika,Nadine,Claudia",
        m="Thomas,Martin,Peter,Markus,Daniel,Patrick",
        s="Büchel,Frick,Marxer,Beck,Kaiser,Wohlwend,Vogt,Ritter,Hasler,Meier,Oehri,Kranz,Hilti,"
          "Negele,Batliner,Matt",
        cities="Vaduz,Schaan,Balzers,Triesen,Eschen,Mauren",
    ),
}

# Distinctive surnames given to exactly one profile each (for single-result queries), with
# the country whose first names they get. None of them occurs anywhere else in the data.
RARE_SURNAMES = [
    ("Smithenson", "IE"),
    ("Szczebrzeszyńska", "PL"),
    ("Quattrocchiaro", "IT"),
    ("Vřeštálová", "CZ"),
    ("Kahramanmaraşlı", "TR"),
    ("Oyarzabal-Etxezarreta", "ES"),
    ("Καραμπουρνιώτη", "EL"),
    ("Хрущенко-Білик", "UA"),
    ("Þorgrímsdóttir", "IS"),
    ("Vänskä-Lindholm", "FI"),
    ("Brzęczyszczykiewicz", "PL"),
    ("Ouedraogo-Lindqvist", "SE"),
]

# Transliteration to Latin script (ELOT 743 for Greek, the official national systems for
# Ukrainian, Bulgarian and Macedonian; Serbian Cyrillic and Latin map one to one).
GREEK_DIGRAPHS = {
    "ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi", "αυ": "av", "ευ": "ev", "ηυ": "iv",
    "γγ": "ng", "γκ": "gk", "γξ": "nx", "γχ": "nch", "μπ": "mp", "ντ": "nt",
}
GREEK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω",
                 ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o",
                  "p", "r", "s", "s", "t", "y", "f", "ch", "ps", "o"]))
UKRAINIAN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": ("ye", "ie"),
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": ("yi", "i"), "й": ("y", "i"), "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "",
    "ю": ("yu", "iu"), "я": ("ya", "ia"), "'": "",
}
BULGARIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht",
    "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
}
MACEDONIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ѓ": "gj", "е": "e", "ж": "zh", "з": "z",
    "ѕ": "dz", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
    "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ќ": "kj", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "ch", "џ": "dzh", "ш": "sh",
}
SERBIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž", "з": "z",
    "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h",
    "ц": "c", "ч": "č", "џ": "dž", "ш": "š",
}
