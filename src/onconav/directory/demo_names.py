"""Name parts for the fictional demo directory, by country.

Every demo record is marked as demo data; combinations are random and name no real person or place.
"""

from __future__ import annotations

GIVEN_NAMES: dict[str, tuple[str, ...]] = {
    "US": (
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen",
        "Wei", "Mei", "Hiroshi", "Priya", "Arjun", "Fatima", "Omar", "Carlos", "Lucia", "Andre", "Keisha",
        "Nguyen", "Olga", "Dmitri", "Aisha", "Samuel", "Grace", "Ethan", "Maya", "Noah", "Chloe",
    ),
    "TR": (
        "Ahmet", "Mehmet", "Mustafa", "Ayşe", "Fatma", "Emine", "Zeynep", "Elif", "Can", "Burak",
        "Emre", "Deniz", "Selin", "Ece", "Murat", "Okan", "Serkan", "Gül", "Hakan", "Derya",
    ),
    "DE": (
        "Lukas", "Anna", "Jonas", "Lea", "Felix", "Laura", "Maximilian", "Sophie", "Paul", "Katharina",
        "Tobias", "Julia", "Stefan", "Sabine", "Matthias", "Claudia", "Andreas", "Petra", "Florian", "Miriam",
    ),
    "ES": (
        "Javier", "María", "Alejandro", "Lucía", "Pablo", "Carmen", "Sergio", "Laura", "Diego", "Elena",
        "Álvaro", "Marta", "Raúl", "Paula", "Jorge", "Cristina", "Iván", "Nuria", "Rubén", "Beatriz",
    ),
    "IN": (
        "Aarav", "Ananya", "Rohan", "Diya", "Vikram", "Kavya", "Rahul", "Sneha", "Arjun", "Pooja",
        "Sanjay", "Lakshmi", "Nikhil", "Meera", "Karthik", "Divya", "Amit", "Neha", "Suresh", "Anjali",
    ),
    "MX": (
        "José", "Guadalupe", "Juan", "Mariana", "Luis", "Fernanda", "Miguel", "Valeria", "Jorge", "Daniela",
        "Ricardo", "Ximena", "Fernando", "Gabriela", "Eduardo", "Andrea", "Héctor", "Paola", "Arturo", "Renata",
    ),
}

FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "US": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
        "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen",
        "Chen", "Wang", "Kim", "Patel", "Nguyen", "Singh", "Cohen", "Okafor", "Kowalski", "Rossi",
    ),
    "TR": (
        "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
        "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek",
    ),
    "DE": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun", "Zimmermann", "Hartmann",
    ),
    "ES": (
        "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
        "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro",
        "Torres",
    ),
    "IN": (
        "Sharma", "Verma", "Gupta", "Iyer", "Reddy", "Nair", "Patel", "Singh", "Kumar", "Menon",
        "Rao", "Das", "Banerjee", "Chatterjee", "Mehta", "Joshi", "Pillai", "Kulkarni", "Desai", "Bhat",
    ),
    "MX": (
        "Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez", "Ramírez",
        "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez",
        "Ruiz",
    ),
}

# Invented first words of organization names; "{word} {kind word} of {city}".
ORGANIZATION_WORDS: tuple[str, ...] = (
    "Northbridge", "Silverpine", "Bluewater", "Stonegate", "Clearbrook", "Harborview", "Maplecrest",
    "Cedarline", "Brightwell", "Lakeshore", "Oakhaven", "Riverbend", "Summitvale", "Goldfield", "Westmere",
    "Eastwood", "Highmoor", "Fairhaven", "Ironwood", "Larkspur", "Meadowbrook", "Pinecrest", "Redcliff",
    "Seabright", "Thornbury", "Valleyview", "Willowmere", "Ambergate", "Birchwood", "Coppergate",
)

STREET_WORDS: tuple[str, ...] = (
    "Health Way", "Medical Center Drive", "Hospital Road", "Care Avenue", "Wellness Boulevard", "Clinic Street",
)
