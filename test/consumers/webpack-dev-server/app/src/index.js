import { message } from './message.js';

function render() {
  document.getElementById('out').textContent = message;
}

render();
if (module.hot) module.hot.accept('./message.js', render);
