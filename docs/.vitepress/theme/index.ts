// The default theme, plus the OpenAPI renderer (Scalar) and the version switcher.
import DefaultTheme from 'vitepress/theme';
import { h } from 'vue';

import './print.css';

import ApiReference from './ApiReference.vue';
import VersionSwitcher from './VersionSwitcher.vue';

export default {
  ...DefaultTheme,
  enhanceApp({ app }: { app: import('vue').App }) {
    app.component('ApiReference', ApiReference);
  },
  Layout() {
    return h(DefaultTheme.Layout, null, {
      'nav-bar-content-after': () => h(VersionSwitcher),
    });
  },
};
