declare module 'bootstrap/js/dist/offcanvas';
