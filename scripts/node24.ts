/** `npm run setup:node24`: installs the Lambda runtime's Node into `.cache/` (once) and prints its path. */
import { installNode24 } from '../tools/node24';

console.log(installNode24());
