/**
 * Step 6, models: the key is accepted (the model list) and the model is in the list. A service without a model
 * list only warns; any other failure stops the run, and the direct step compares.
 */
import { live, type StepDef } from './context.ts';
import { errCode, errWords, say } from './words.ts';

export const modelsStep: StepDef = {
  id: 'models',
  async run(ctx) {
    const { probe, s } = live(ctx);
    const model = s.provider.model;
    try {
      const models = await probe.listModels(ctx.raw);
      if (!models.includes(model)) {
        ctx.warning('model_not_found');
        ctx.finding('model_not_found');
        const sample = models.slice(0, 8).join(', ');
        ctx.hint(sample
          ? say('model_missing_sample', { model, sample })
          : say('model_missing', { model }));
        return { status: 'warn', words: [say('models_without', { count: models.length, model })] };
      }
      return { status: 'pass', words: [say('models_ok', { model, count: models.length })] };
    } catch (e) {
      const code = errCode(e);
      // Some services have no model list; only an auth failure is decisive here.
      if (code === 'not_found' || code === 'request_rejected') {
        ctx.warning(code);
        return { status: 'warn', words: [say('models_unavailable', {}), errWords(e)] };
      }
      ctx.compare = { after: 'request', error: e };
      ctx.fail(code, e);
      return { status: 'fail', words: [errWords(e)] };
    }
  },
  next: (_ctx, status) => (status === 'fail' ? 'models' : undefined),
};
