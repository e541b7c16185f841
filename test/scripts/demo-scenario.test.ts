// The demo's --scenario flag: the classic hybrid organisation by default, the dedicated hybrid application on request,
// and anything else refused with the flag and the choices named.
import { demoScenario } from '../../scripts/demo';

test.each([
  [[], 'hybrid'],
  [['--scenario', 'dedicated-hybrid-app'], 'dedicated-hybrid-app'],
  [['--scenario=dedicated-hybrid-app'], 'dedicated-hybrid-app'],
  [['--scenario', 'hybrid'], 'hybrid'],
])('%j → %s', (argv, scenario) => {
  expect(demoScenario(argv)).toBe(scenario);
});

test.each([[['--scenario', 'healthy']], [['--scenario']]])('%j is refused, naming the flag and the choices', (argv) => {
  expect(() => demoScenario(argv)).toThrow(/--scenario: must be one of hybrid, dedicated-hybrid-app/);
});
