import { defineConfig } from 'vitepress';

const concepts = [
  { text: 'Variants and scaling', link: '/concepts/variants-and-scaling' },
  { text: 'Blocks', link: '/concepts/blocks' },
  { text: 'Progressive learning', link: '/concepts/progressive-learning' },
  { text: 'Augmentation', link: '/concepts/augmentation' },
  { text: 'Backends', link: '/concepts/backends' },
  { text: 'Reliability', link: '/concepts/reliability' },
];
const guides = [
  { text: 'Train on your own image folder', link: '/guides/train-on-your-images' },
  { text: 'Write an augmentation plugin', link: '/guides/augmentation-plugin' },
  { text: 'Swap backends', link: '/guides/swap-backends' },
  { text: 'Publish a variant', link: '/guides/publish-a-variant' },
  { text: 'Pretrained weights (Keras, timm)', link: '/guides/pretrained-weights' },
  { text: 'Train elsewhere, deploy with effnet', link: '/guides/train-elsewhere-deploy-with-effnet' },
];
const reference = [
  { text: 'The effnet command', link: '/cli/' },
  { text: 'API', link: '/api/' },
];

export default defineConfig({
  title: 'effnet',
  description: 'EfficientNetV2 for TensorFlow.js',
  cleanUrls: true,
  srcExclude: ['scripts/**', 'README.md'],
  themeConfig: {
    nav: [
      { text: 'Quick start', link: '/quick-start' },
      { text: 'Concepts', items: concepts },
      { text: 'Guides', items: guides },
      ...reference.map((r) => ({ text: r.text === 'API' ? 'API' : 'CLI', link: r.link })),
    ],
    sidebar: [
      { text: 'Start', items: [{ text: 'Quick start', link: '/quick-start' }] },
      { text: 'Concepts', items: concepts },
      { text: 'Guides', items: guides },
      { text: 'Reference', items: reference },
    ],
  },
});
