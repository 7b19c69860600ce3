// Terms of use (/conditions): text only, in the chosen language.

import { initPage } from './ui.js';

initPage('conditions.title');
