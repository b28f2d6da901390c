// Kinds as people read them, and one colour each for the graph's nodes and legend: distinct side
// by side, and dark enough (3:1 or more on white) to see as shapes.

const COLOURS = {
  Outcome: '#0b57d0', CaseStudy: '#a3367a', EvidenceClaim: '#6b4fa0', Organisation: '#1a7048',
  ResearchInstitute: '#0f6b6b', PolicyTheme: '#b04a00', KeyChallenge: '#8a5300',
  KeyOpportunity: '#5d6b00', Region: '#45617a', Place: '#3f6e99', Resource: '#6b6b6b',
  Scheme: '#333333', EvidenceLevel: '#7a4b3a', EvidenceType: '#8c3b3b',
  Intervention: '#c62828', InterventionFamily: '#4a4a8a',
};

export function kindName(kind) {
  return kind.replace(/([a-z])([A-Z])/g, (_, a, b) => `${a} ${b.toLowerCase()}`);
}

export function kindColour(kind) {
  return COLOURS[kind] ?? '#555555';
}
