import { operationId } from './openapi.document';

describe(operationId.name, () => {
  it.each([
    ['PostsController', 'list', 'posts_list'],
    ['AuthController', 'login', 'auth_login'],
    ['SavedPostsController', 'findOne', 'saved_posts_find_one'],
    ['HealthController', 'ready', 'health_ready'],
  ])('names %s.%s %s', (controller, method, expected) => {
    expect(operationId(controller, method)).toBe(expected);
  });
});
